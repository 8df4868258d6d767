// Keyboard use of the as-you-type results: ↓ from the box goes to the first result,
// ↑/↓ move between results, Échap comes back to the box.
document.addEventListener("keydown", (event) => {
  const box = document.getElementById("q");
  const list = document.querySelector("#resultats .result-list");
  if (!box || !list) return;
  const links = Array.from(list.querySelectorAll("a"));
  const index = links.indexOf(document.activeElement);
  if (event.key === "ArrowDown" && (document.activeElement === box || index >= 0)) {
    event.preventDefault();
    links[Math.min(index + 1, links.length - 1)]?.focus();
  } else if (event.key === "ArrowUp" && index >= 0) {
    event.preventDefault();
    (index === 0 ? box : links[index - 1]).focus();
  } else if (event.key === "Escape" && index >= 0) {
    box.focus();
  }
});

// Buttons that destroy data ask first: <button data-confirm="Question ?">.
document.addEventListener("submit", (event) => {
  const button = event.submitter;
  if (button && button.dataset.confirm && !window.confirm(button.dataset.confirm)) {
    event.preventDefault();
  }
});

// A list that opens a page when a choice is made: <select data-navigate="/chemin/CODE/">.
document.addEventListener("change", (event) => {
  const select = event.target;
  if (select.matches && select.matches("select[data-navigate]")) {
    window.location.href = select.value
      ? select.dataset.navigate.replace("CODE", encodeURIComponent(select.value))
      : select.form.action;
  }
});
