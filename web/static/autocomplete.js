/* Search-box autocomplete from GET /api/v1/suggest?q=&locale= (SPEC.md).
   ARIA 1.2 combobox with a listbox popup: arrows move, Enter picks, Escape closes.
   Without the endpoint (or without JavaScript) the box is a plain search field. */
(function () {
  "use strict";

  var DEBOUNCE_MS = 150;
  var MAX_ITEMS = 8;

  function setup(input) {
    var form = input.form;
    var listId = input.id + "-suggestions";
    var list = document.createElement("ul");
    var live = document.createElement("div");
    var items = [];
    var active = -1;
    var timer = null;
    var pending = null;
    var disabled = false;

    list.id = listId;
    list.className = "suggestions";
    list.setAttribute("role", "listbox");
    list.setAttribute("aria-label", input.getAttribute("placeholder") || "");
    list.hidden = true;
    live.className = "visually-hidden";
    live.setAttribute("role", "status");
    live.setAttribute("aria-live", "polite");
    input.parentNode.appendChild(list);
    input.parentNode.appendChild(live);

    input.setAttribute("role", "combobox");
    input.setAttribute("aria-autocomplete", "list");
    input.setAttribute("aria-expanded", "false");
    input.setAttribute("aria-controls", listId);

    function close() {
      list.hidden = true;
      input.setAttribute("aria-expanded", "false");
      input.removeAttribute("aria-activedescendant");
      active = -1;
    }

    function highlight(index) {
      var options = list.children;
      for (var i = 0; i < options.length; i++) {
        options[i].setAttribute("aria-selected", i === index ? "true" : "false");
      }
      active = index;
      if (index >= 0) {
        input.setAttribute("aria-activedescendant", options[index].id);
        options[index].scrollIntoView({ block: "nearest" });
      } else {
        input.removeAttribute("aria-activedescendant");
      }
    }

    function isLocalPath(url) {
      return typeof url === "string" && url.charAt(0) === "/" && url.charAt(1) !== "/";
    }

    function choose(index) {
      if (index < 0 || index >= items.length) return;
      var item = items[index];
      input.value = item.text;
      close();
      if (item.kind === "product" && isLocalPath(item.url)) {
        window.location.assign(item.url);  // straight to the product page
      } else if (item.kind === "category" && item.value) {
        window.location.assign(form.action + "?category=" + encodeURIComponent(item.value));
      } else if (form.requestSubmit) {
        form.requestSubmit();
      } else {
        form.submit();
      }
    }

    function render(suggestions) {
      items = suggestions.slice(0, MAX_ITEMS);
      list.textContent = "";
      items.forEach(function (item, i) {
        var option = document.createElement("li");
        var text = document.createElement("span");
        option.id = listId + "-" + i;
        option.setAttribute("role", "option");
        option.setAttribute("aria-selected", "false");
        text.textContent = item.text;
        option.appendChild(text);
        var kindLabel = input.getAttribute("data-kind-" + item.kind);
        if (kindLabel) {
          var kind = document.createElement("span");
          kind.className = "suggestion__kind";
          kind.textContent = kindLabel;
          option.appendChild(kind);
        }
        option.addEventListener("mousedown", function (event) {
          event.preventDefault();  // keep focus in the box
          choose(i);
        });
        list.appendChild(option);
      });
      active = -1;
      if (items.length) {
        list.hidden = false;
        input.setAttribute("aria-expanded", "true");
        live.textContent = input.getAttribute("data-count-label") || "";
      } else {
        close();
        live.textContent = "";
      }
    }

    function fetchSuggestions() {
      var q = input.value.trim();
      if (disabled || !q) { render([]); return; }
      if (pending) pending.abort();
      pending = window.AbortController ? new AbortController() : null;
      var url = input.getAttribute("data-suggest-url") + "?q=" + encodeURIComponent(q) +
        "&locale=" + encodeURIComponent(input.getAttribute("data-locale") || "en");
      fetch(url, { headers: { Accept: "application/json" }, signal: pending ? pending.signal : undefined })
        .then(function (response) {
          if (response.status === 404) { disabled = true; return null; }  // no endpoint here
          return response.ok ? response.json() : null;
        })
        .then(function (body) {
          if (input.value.trim() !== q) return;  // the shopper kept typing
          render(body && Array.isArray(body.suggestions) ? body.suggestions : []);
        })
        .catch(function () { /* offline or aborted: keep the plain search box */ });
    }

    input.addEventListener("input", function () {
      clearTimeout(timer);
      timer = setTimeout(fetchSuggestions, DEBOUNCE_MS);
    });

    input.addEventListener("keydown", function (event) {
      var open = !list.hidden && items.length > 0;
      if (event.key === "ArrowDown") {
        if (!open) { fetchSuggestions(); return; }
        event.preventDefault();
        highlight(active + 1 >= items.length ? 0 : active + 1);
      } else if (event.key === "ArrowUp" && open) {
        event.preventDefault();
        highlight(active <= 0 ? items.length - 1 : active - 1);
      } else if (event.key === "Enter" && open && active >= 0) {
        event.preventDefault();
        choose(active);
      } else if (event.key === "Escape" && open) {
        event.preventDefault();
        close();
      }
    });

    input.addEventListener("blur", function () { setTimeout(close, 100); });
  }

  function init() {
    var inputs = document.querySelectorAll("input[data-suggest-url]");
    for (var i = 0; i < inputs.length; i++) setup(inputs[i]);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
