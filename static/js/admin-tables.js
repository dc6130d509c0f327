// Admin lists.
document.addEventListener("DOMContentLoaded", () => {
  // A cell cut short (…) shows its whole text on hover.
  for (const cell of document.querySelectorAll("#result_list td, #result_list th")) {
    if (cell.scrollWidth > cell.clientWidth && !cell.title) {
      cell.title = cell.textContent.trim();
    }
  }
  // The filters are menus in a bar above the table: all closed when the page opens
  // (Django's filters.js would reopen the ones opened before), one open at a time.
  const menus = document.querySelectorAll("#changelist-filter details");
  sessionStorage.removeItem("django.admin.filtersState");
  for (const menu of menus) {
    menu.open = false;
    menu.addEventListener("toggle", () => {
      if (menu.open) {
        for (const other of menus) {
          if (other !== menu) other.open = false;
        }
      }
    });
  }
  document.addEventListener("click", (event) => {
    if (!event.target.closest("#changelist-filter details")) {
      for (const menu of menus) menu.open = false;
    }
  });
});
