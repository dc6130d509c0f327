// PickList (liaison/widgets.py): search the choices, count those ticked, tick a group,
// or start from a preset.
document.addEventListener("DOMContentLoaded", () => {
  for (const list of document.querySelectorAll("[data-picklist]")) {
    const search = list.querySelector(".picklist-search");
    const count = list.querySelector(".picklist-count");
    const boxes = () => list.querySelectorAll("li input[type=checkbox]");
    const update = () => {
      count.querySelector("strong").textContent = [...boxes()].filter((b) => b.checked).length;
      for (const group of list.querySelectorAll(".picklist-group")) {
        const all = group.querySelector(".picklist-all");
        if (!all) continue;
        const shown = [...group.querySelectorAll("li")].filter((li) => !li.hidden);
        const ticked = shown.filter((li) => li.querySelector("input").checked);
        all.checked = shown.length > 0 && ticked.length === shown.length;
        all.indeterminate = ticked.length > 0 && ticked.length < shown.length;
      }
    };
    // Presets tick exactly their choices (all serving members, a role …), to adjust.
    const presets = list.querySelector(".picklist-presets");
    if (presets) {
      presets.hidden = false;
      presets.addEventListener("click", (event) => {
        const button = event.target.closest(".picklist-preset");
        if (!button) return;
        const values = new Set(button.dataset.values.split(" ").filter(Boolean));
        for (const box of boxes()) box.checked = values.has(box.value);
        update();
      });
    }
    search.hidden = false;
    count.hidden = false;
    for (const all of list.querySelectorAll(".picklist-all")) all.hidden = false;
    search.addEventListener("input", () => {
      const words = search.value.trim();
      for (const group of list.querySelectorAll(".picklist-group")) {
        let any = false;
        for (const li of group.querySelectorAll("li")) {
          li.hidden = words !== "" && !li.textContent.includes(words);
          any = any || !li.hidden;
        }
        group.hidden = !any;
      }
      update();
    });
    list.addEventListener("change", (event) => {
      if (event.target.classList.contains("picklist-all")) {
        const group = event.target.closest(".picklist-group");
        for (const li of group.querySelectorAll("li")) {
          if (!li.hidden) li.querySelector("input").checked = event.target.checked;
        }
      }
      update();
    });
    update();
  }
});
