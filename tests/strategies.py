"""Hypothesis strategies shared by the tests that post hostile input."""

from hypothesis import strategies as st

hostile_text = st.one_of(
    st.text(max_size=50),
    st.text(min_size=2000, max_size=2600),
    st.sampled_from(
        [
            "",
            " ",
            "-1",
            "1e9",
            "NaN",
            "99999999999999999999",
            "0x10",
            "<script>alert(1)</script>",
            "' OR 1=1 --",
            "\x00",
            "=cmd|' /C calc'!A0",
            "True",
            "3.5",
        ]
    ),
    st.integers(min_value=-(2**63), max_value=2**63).map(str),
)
