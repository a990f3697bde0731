// "Copy" buttons: put the text of data-copy on the clipboard and say so in the
// button's status region, for screen readers too.
document.querySelectorAll("[data-copy]").forEach((button) => {
  const status = document.getElementById(button.dataset.copyStatus);
  button.addEventListener("click", async () => {
    try {
      await navigator.clipboard.writeText(button.dataset.copy);
      if (status) status.textContent = button.dataset.copied;
    } catch {
      if (status) status.textContent = button.dataset.copyFailed;
    }
  });
});
