// Both widgets below search as the user types: two characters of a name or the start of
// a number, a quarter second after the last key; the answer to an older search is
// dropped when a newer one was asked.
// The matches are listed as buttons (class memberpicker-add, data-id and data-label);
// ``mark(button, row)`` may change one (a member already chosen).
function searchAsTyped({ search, results, say, t, ask, mark = () => {} }) {
  const show = (rows, more) => {
    results.replaceChildren(
      ...rows.map((r) => {
        const li = document.createElement("li");
        const button = document.createElement("button");
        button.type = "button";
        button.className = "memberpicker-add";
        button.dataset.id = r.id;
        button.dataset.label = r.label;
        button.textContent = r.label;
        mark(button, r);
        li.append(button);
        return li;
      }),
    );
    results.hidden = rows.length === 0;
    say(rows.length === 0 ? t("没有找到符合的委员。") : more ? t("只列出前 20 位，请输入更多字缩小范围。") : "");
  };
  let timer;
  let asked = 0;
  search.addEventListener("input", () => {
    clearTimeout(timer);
    const words = search.value.trim();
    if (!/^\d+$/.test(words) && words.length < 2) {
      results.hidden = true;
      say("");
      return;
    }
    timer = setTimeout(() => {
      const mine = ++asked;
      ask(words)
        .then((data) => mine === asked && show(data.results, data.more))
        .catch(() => say(t("查找失败，请稍后再试。")));
    }, 250);
  });
}

// MemberPicker in search-first mode (members/picking.py): the chosen members as
// removable chips with their number, a search box whose matches come from the scoped
// endpoint, and presets (all, a role, a sector, an activity group) resolved there.
document.addEventListener("DOMContentLoaded", () => {
  for (const picker of document.querySelectorAll("[data-memberpicker]")) {
    if (picker.dataset.ready) continue; // the script included twice on a page
    picker.dataset.ready = "1";
    const url = picker.dataset.url;
    const name = picker.dataset.name;
    const search = picker.querySelector(".memberpicker-search");
    const results = picker.querySelector(".memberpicker-results");
    const chosen = picker.querySelector(".memberpicker-chosen");
    const count = picker.querySelector(".picklist-count strong");
    const presets = picker.querySelector(".memberpicker-presets");
    const status = picker.querySelector(".memberpicker-status");
    const officeHint = picker.querySelector(".memberpicker-office");
    const form = picker.closest("form");
    const officeSelect =
      picker.dataset.officeField && form
        ? form.querySelector(`select[name="${picker.dataset.officeField}"]`)
        : null;
    const t = (s) => (window.gettext ? window.gettext(s) : s);

    const offices = () => {
      if (officeSelect) return officeSelect.value ? [officeSelect.value] : [];
      return (picker.dataset.offices || "").split(" ").filter(Boolean);
    };
    const officeMissing = () => officeSelect !== null && !officeSelect.value;
    const query = (params) => {
      const q = new URLSearchParams(params);
      for (const office of offices()) q.append("office", office);
      return fetch(`${url}?${q}`, { headers: { Accept: "application/json" }, credentials: "same-origin" })
        .then((r) => (r.ok ? r.json() : Promise.reject(r.status)));
    };
    const say = (text) => {
      status.textContent = text;
      status.hidden = !text;
    };

    const chosenIds = () => new Set([...chosen.querySelectorAll("input")].map((i) => i.value));
    const update = () => {
      count.textContent = chosen.querySelectorAll("input").length;
    };
    const chip = (id, label) => {
      const li = document.createElement("li");
      const input = document.createElement("input");
      input.type = "hidden";
      input.name = name;
      input.value = String(id);
      const remove = document.createElement("button");
      remove.type = "button";
      remove.className = "memberpicker-remove";
      remove.textContent = "×";
      remove.setAttribute("aria-label", `${t("移除")} ${label}`);
      li.append(input, document.createTextNode(label), remove);
      return li;
    };
    // The chips drawn by the server are checkboxes (without script: untick to remove).
    for (const li of [...chosen.children]) {
      const box = li.querySelector("input");
      li.replaceWith(chip(box.value, li.textContent.trim()));
    }
    chosen.addEventListener("click", (event) => {
      const button = event.target.closest(".memberpicker-remove");
      if (!button) return;
      button.closest("li").remove();
      update();
      search.focus();
    });
    const replaceAll = (rows) => {
      chosen.replaceChildren(...rows.map((r) => chip(r.id, r.label)));
      update();
    };

    // Search: two characters of a name or the start of a number, then click to add.
    const mark = (button, r) => {
      if (chosenIds().has(String(r.id))) {
        button.disabled = true;
        button.textContent = `${r.label} ${t("已选")}`;
      }
    };
    searchAsTyped({ search, results, say, t, ask: (words) => query({ q: words }), mark });
    search.addEventListener("keydown", (event) => {
      if (event.key === "Enter") {
        event.preventDefault(); // Enter searches, it does not send the form
        const first = results.querySelector(".memberpicker-add:not(:disabled)");
        if (first) first.click();
      }
    });
    results.addEventListener("click", (event) => {
      const button = event.target.closest(".memberpicker-add");
      if (!button || button.disabled) return;
      chosen.append(chip(button.dataset.id, button.dataset.label));
      button.disabled = true;
      button.textContent = `${button.dataset.label} ${t("已选")}`;
      update();
    });

    // Presets replace the choice with exactly their members, to adjust afterwards.
    const applyPreset = (key) => {
      say(t("正在载入……"));
      query({ preset: key })
        .then((data) => {
          replaceAll(data.results);
          say("");
        })
        .catch(() => say(t("载入失败，请稍后再试。")));
    };
    const presetButton = (label, size, key) => {
      const button = document.createElement("button");
      button.type = "button";
      button.className = "button picklist-preset";
      button.dataset.preset = key;
      button.append(document.createTextNode(label));
      if (size !== null) {
        const span = document.createElement("span");
        span.className = "picklist-size";
        span.textContent = size;
        button.append(span);
      }
      return button;
    };
    const presetSelect = (label, rows) => {
      const select = document.createElement("select");
      select.className = "memberpicker-preset-select";
      select.setAttribute("aria-label", label);
      const first = new Option(label, "");
      select.append(first, ...rows.map((p) => new Option(`${p.label}（${p.size}）`, p.key)));
      return select;
    };
    let presetsAsked = 0;
    const loadPresets = () => {
      const mine = ++presetsAsked;
      presets.replaceChildren();
      presets.hidden = true;
      if (officeMissing()) return;
      query({ presets: 1 }).then((data) => {
        if (mine !== presetsAsked) return; // the office changed meanwhile
        presets.replaceChildren();
        const list = data.presets;
        const buttons = list.filter((p) => p.kind === "all" || p.kind === "role");
        const sectors = list.filter((p) => p.kind === "sector");
        const groups = list.filter((p) => p.kind === "group");
        const label = (p) => (p.kind === "all" && picker.dataset.everyone) || p.label;
        presets.append(...buttons.map((p) => presetButton(label(p), p.size, p.key)));
        if (sectors.length) presets.append(presetSelect(t("按界别"), sectors));
        if (groups.length) presets.append(presetSelect(t("按活动组"), groups));
        presets.append(presetButton(t("清空"), null, ""));
        presets.hidden = false;
      });
    };
    presets.addEventListener("click", (event) => {
      const button = event.target.closest(".picklist-preset");
      if (!button) return;
      if (button.dataset.preset) applyPreset(button.dataset.preset);
      else replaceAll([]);
    });
    presets.addEventListener("change", (event) => {
      if (event.target.value) applyPreset(event.target.value);
      event.target.value = "";
    });

    const officeChanged = () => {
      const missing = officeMissing();
      officeHint.hidden = !missing;
      search.hidden = missing;
      results.hidden = true;
      say("");
      loadPresets();
    };
    if (officeSelect) {
      officeSelect.addEventListener("change", () => {
        replaceAll([]); // members belong to one office: choose again in the new one
        officeChanged();
      });
    }
    officeChanged();
    update();
  }
});

// SearchSelect (members/picking.py): one member (or invitee) found by search, kept in
// a hidden input.
document.addEventListener("DOMContentLoaded", () => {
  for (const box of document.querySelectorAll("[data-searchselect]")) {
    if (box.dataset.ready) continue;
    box.dataset.ready = "1";
    const t = (s) => (window.gettext ? window.gettext(s) : s);
    const hidden = box.querySelector("input[type=hidden]");
    const shown = box.querySelector(".searchselect-chosen strong");
    const search = box.querySelector(".memberpicker-search");
    const results = box.querySelector(".memberpicker-results");
    const status = box.querySelector(".memberpicker-status");
    const offices = (box.dataset.offices || "").split(" ").filter(Boolean);
    const say = (text) => {
      status.textContent = text;
      status.hidden = !text;
    };
    search.hidden = false;
    const ask = (words) => {
      const q = new URLSearchParams({ q: words });
      for (const office of offices) q.append("office", office);
      return fetch(`${box.dataset.url}?${q}`, { credentials: "same-origin" }).then((r) =>
        r.ok ? r.json() : Promise.reject(r.status),
      );
    };
    searchAsTyped({ search, results, say, t, ask });
    search.addEventListener("keydown", (event) => {
      if (event.key === "Enter") {
        event.preventDefault();
        const first = results.querySelector(".memberpicker-add");
        if (first) first.click();
      }
    });
    results.addEventListener("click", (event) => {
      const button = event.target.closest(".memberpicker-add");
      if (!button) return;
      hidden.value = button.dataset.id;
      shown.textContent = button.textContent;
      results.hidden = true;
      search.value = "";
      say("");
    });
  }
});
