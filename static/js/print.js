// A print button for pages with a printable form (the stylesheet hides what paper does not need).
document.querySelectorAll("[data-print]").forEach((button) => {
  button.addEventListener("click", () => window.print());
});
