/* The admin's product pickers and the query rule's live preview.

   A picker (.picker) searches products by title or id as you type
   (GET /admin/lookup/products?q=) and puts the chosen id into its form field. A
   single picker fills a text input; a list picker (.picker--list) keeps an ordered
   list of chosen products in a textarea of ids, one per line, shown as chips that
   can be moved up or removed. Without JavaScript the fields take ids typed by hand.

   A form with data-preview refreshes its preview panel (data-preview-target) from
   data-preview as its fields change. No inline scripts or styles: see the CSP. */
(function () {
  "use strict";

  var DEBOUNCE_MS = 200;

  function debounce(fn, ms) {
    var timer = null;
    return function () {
      clearTimeout(timer);
      timer = setTimeout(fn, ms);
    };
  }

  function lookup(url, text, country) {
    var query = url + "?q=" + encodeURIComponent(text) + (country ? "&country=" + encodeURIComponent(country) : "");
    return fetch(query, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (r) { return r.ok ? r.json() : { items: [] }; })
      .then(function (body) { return body.items || []; })
      .catch(function () { return []; });
  }

  function optionLabel(item) {
    var main = document.createElement("span");
    main.textContent = item.title;
    var meta = document.createElement("span");
    meta.className = "suggestion__kind";
    meta.textContent = item.id + " · " + item.price;
    return [main, meta];
  }

  /* A combobox over a text input: shows matches, calls onChoose(item). */
  function combobox(input, url, country, onChoose) {
    var list = document.createElement("ul");
    var items = [];
    var active = -1;
    var seq = 0;
    list.id = input.id + "-options";
    list.className = "suggestions";
    list.setAttribute("role", "listbox");
    list.hidden = true;
    input.parentNode.appendChild(list);
    input.setAttribute("role", "combobox");
    input.setAttribute("aria-autocomplete", "list");
    input.setAttribute("aria-expanded", "false");
    input.setAttribute("aria-controls", list.id);
    input.setAttribute("autocomplete", "off");

    function close() {
      list.hidden = true;
      input.setAttribute("aria-expanded", "false");
      input.removeAttribute("aria-activedescendant");
      active = -1;
    }

    function mark(index) {
      for (var i = 0; i < list.children.length; i++) {
        list.children[i].setAttribute("aria-selected", i === index ? "true" : "false");
      }
      active = index;
      if (index >= 0) input.setAttribute("aria-activedescendant", list.children[index].id);
    }

    function choose(index) {
      if (index < 0 || index >= items.length) return;
      onChoose(items[index]);
      close();
    }

    function render(found) {
      items = found;
      list.textContent = "";
      found.forEach(function (item, i) {
        var li = document.createElement("li");
        li.id = list.id + "-" + i;
        li.setAttribute("role", "option");
        li.setAttribute("aria-selected", "false");
        optionLabel(item).forEach(function (part) { li.appendChild(part); });
        li.addEventListener("mousedown", function (event) {
          event.preventDefault();
          choose(i);
        });
        list.appendChild(li);
      });
      list.hidden = found.length === 0;
      input.setAttribute("aria-expanded", found.length ? "true" : "false");
      active = -1;
    }

    var search = debounce(function () {
      var text = input.value.trim();
      var mine = ++seq;
      if (!text) { render([]); return; }
      lookup(url, text, country()).then(function (found) {
        if (mine === seq) render(found);
      });
    }, DEBOUNCE_MS);

    input.addEventListener("input", search);
    input.addEventListener("blur", close);
    input.addEventListener("keydown", function (event) {
      if (list.hidden) return;
      if (event.key === "ArrowDown") {
        event.preventDefault();
        mark(Math.min(active + 1, items.length - 1));
      } else if (event.key === "ArrowUp") {
        event.preventDefault();
        mark(Math.max(active - 1, 0));
      } else if (event.key === "Enter" && active >= 0) {
        event.preventDefault();
        choose(active);
      } else if (event.key === "Escape") {
        close();
      }
    });
  }

  function countryOf(picker) {
    return function () {
      var form = picker.closest("form");
      var field = form && form.elements.namedItem("country");
      return (field && field.value) || picker.getAttribute("data-country") || "";
    };
  }

  function singlePicker(picker) {
    var input = picker.querySelector("input[type=text], input:not([type])");
    var chosen = picker.querySelector(".picker__chosen");
    if (!input) return;
    combobox(input, picker.getAttribute("data-lookup"), countryOf(picker), function (item) {
      input.value = item.id;
      if (chosen) chosen.textContent = item.title + " · " + item.price;
      input.dispatchEvent(new Event("change", { bubbles: true }));
    });
  }

  function listPicker(picker) {
    var field = picker.querySelector("textarea");
    var search = picker.querySelector(".picker__search");
    var chips = picker.querySelector(".picker__chips");
    var titles = {};
    if (!field || !search || !chips) return;
    Array.prototype.forEach.call(chips.querySelectorAll("[data-id]"), function (chip) {
      titles[chip.getAttribute("data-id")] = chip.getAttribute("data-title") || "";
    });

    function ids() {
      return field.value.split(/[\s,]+/).filter(Boolean);
    }

    function save(list) {
      field.value = list.join("\n");
      draw();
      field.dispatchEvent(new Event("change", { bubbles: true }));
    }

    function button(label, text, handler) {
      var b = document.createElement("button");
      b.type = "button";
      b.className = "button button--small";
      b.textContent = text;
      b.setAttribute("aria-label", label);
      b.addEventListener("click", handler);
      return b;
    }

    function draw() {
      chips.textContent = "";
      ids().forEach(function (id, i, all) {
        var li = document.createElement("li");
        li.className = "chip";
        li.setAttribute("data-id", id);
        var text = document.createElement("span");
        text.textContent = (titles[id] ? titles[id] + " · " : "") + id;
        li.appendChild(text);
        if (i > 0) {
          li.appendChild(button(picker.getAttribute("data-up") + " " + id, "↑", function () {
            var list = ids();
            list.splice(i - 1, 0, list.splice(i, 1)[0]);
            save(list);
          }));
        }
        li.appendChild(button(picker.getAttribute("data-remove") + " " + id, "×", function () {
          save(all.filter(function (_, j) { return j !== i; }));
        }));
        chips.appendChild(li);
      });
    }

    picker.classList.add("picker--enhanced");
    combobox(search, picker.getAttribute("data-lookup"), countryOf(picker), function (item) {
      titles[item.id] = item.title;
      var list = ids().filter(function (id) { return id !== item.id; });
      list.push(item.id);
      search.value = "";
      save(list);
    });
    draw();
  }

  function livePreview(form) {
    var target = document.getElementById(form.getAttribute("data-preview-target"));
    var url = form.getAttribute("data-preview");
    var seq = 0;
    if (!target || !url) return;
    var refresh = debounce(function () {
      var params = new URLSearchParams();
      ["query", "locale", "country", "promote", "hide"].forEach(function (name) {
        var field = form.elements.namedItem(name);
        if (field && field.value) params.set(name, field.value);
      });
      var mine = ++seq;
      target.setAttribute("aria-busy", "true");
      fetch(url + "?" + params.toString(), { credentials: "same-origin" })
        .then(function (r) { return r.ok ? r.text() : null; })
        .then(function (html) {
          if (mine !== seq || html === null) return;
          target.innerHTML = html;  // our own page fragment, escaped by the server
          target.removeAttribute("aria-busy");
        })
        .catch(function () { target.removeAttribute("aria-busy"); });
    }, 400);
    form.addEventListener("input", refresh);
    form.addEventListener("change", refresh);
  }

  function start() {
    Array.prototype.forEach.call(document.querySelectorAll(".picker"), function (picker) {
      if (picker.classList.contains("picker--list")) listPicker(picker);
      else singlePicker(picker);
    });
    Array.prototype.forEach.call(document.querySelectorAll("form[data-preview]"), livePreview);
    Array.prototype.forEach.call(document.querySelectorAll("[data-confirm]"), function (form) {
      form.addEventListener("submit", function (event) {
        if (!window.confirm(form.getAttribute("data-confirm"))) event.preventDefault();
      });
    });
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
