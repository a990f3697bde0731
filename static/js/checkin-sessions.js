// The sessions since the last check-in and the total they make, kept in step: a
// choice shows the total it gives, and a total typed in picks the choice it matches.
(function () {
  var total = document.querySelector("input[name=sessions_attended][data-last]");
  if (!total) return;
  var last = Number(total.dataset.last);
  var choices = document.querySelectorAll("input[name=sessions_since]");
  choices.forEach(function (choice) {
    choice.addEventListener("change", function () {
      if (choice.checked) total.value = last + Number(choice.value);
    });
  });
  total.addEventListener("input", function () {
    choices.forEach(function (choice) {
      choice.checked = total.value !== "" && Number(choice.value) === Number(total.value) - last;
    });
  });
})();
