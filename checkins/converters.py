from datetime import date


class IsoDateConverter:
    """A calendar date as YYYY-MM-DD; an impossible date is a 404, not a 500."""

    regex = r"\d{4}-\d{2}-\d{2}"

    def to_python(self, value: str) -> date:
        return date.fromisoformat(value)

    def to_url(self, value: date | str) -> str:
        return value if isinstance(value, str) else value.isoformat()
