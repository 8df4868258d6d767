// Survey pages: a question whose display depends on an answer of the same page appears or
// disappears as the answer changes (the server applies the same rule when the page is sent).
(function () {
  const form = document.querySelector(".survey form");
  if (!form) return;
  if (form.dataset.preview) {  // the builder's preview sends nothing
    form.addEventListener("submit", (event) => event.preventDefault());
  }
  function answers(key) {
    return Array.from(form.querySelectorAll(`[name="${key}"]`))
      .filter((input) => input.checked)
      .map((input) => {
        // a choice is known by its text, a point of a scale by its number
        const label = input.closest("label.choice");
        return label ? label.textContent.trim() : input.value;
      });
  }
  function update() {
    form.querySelectorAll("fieldset[data-condition-key]").forEach((fieldset) => {
      const key = fieldset.dataset.conditionKey;
      if (!key || !form.querySelector(`[name="${key}"]`)) return; // asked on an earlier page
      const wanted = fieldset.dataset.conditionValues.split(";");
      const given = answers(key);
      fieldset.hidden = !given.some((value) => wanted.includes(value));
    });
  }
  form.addEventListener("change", update);
  update();
})();
