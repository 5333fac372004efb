// Keeps a copy of the story form in this browser (localStorage) while it is being typed, so
// that a save which fails (the database is down, the story was published meanwhile) loses
// nothing. When the form is opened again and the copy differs from what the server shows, a
// notice offers to restore it. The page after a successful save carries "#saved-story-<key>"
// (ArticleAdmin.response_add/response_change), which drops that copy.
(function () {
  "use strict";
  var PREFIX = "newsroom.story-backup.";
  var SAVED_MARKER = /^#saved-story-([\w-]+)$/;
  // Not typed text: the CSRF token, the buttons, and the inline formsets' row counts, which
  // must match the rows actually on the page.
  var SKIPPED = /^(csrfmiddlewaretoken|_save|_continue|_addanother)$|-(TOTAL|INITIAL|MIN_NUM|MAX_NUM)_FORMS$/;
  // Restored with the text, so that a save from the copy is checked against the version the
  // copy was typed on (and someone else's save in between is shown, not overwritten), but a
  // different version alone is no reason to offer the copy.
  var VERSION_FIELD = "loaded_version";
  var DEBOUNCE_MS = 400;
  var EDITOR_WAIT_MS = 5000;

  var store;
  try {
    store = window.localStorage;
    store.getItem(PREFIX);
  } catch (error) {
    return; // storage off or full: the form still works, without a backup
  }

  var saved = SAVED_MARKER.exec(window.location.hash);
  if (saved) {
    store.removeItem(PREFIX + saved[1]);
    history.replaceState(history.state, "", window.location.pathname + window.location.search);
  }

  var box = document.querySelector("[data-story-backup]");
  var form = box && box.closest("form");
  if (!form) return;
  var key = PREFIX + box.getAttribute("data-story-backup");
  var status = document.querySelector("[data-backup-status]");

  function isRichText(field) {
    return field.tagName === "TEXTAREA" && Array.prototype.some.call(field.attributes, function (a) {
      return a.name.indexOf("data-django-prose-editor") === 0;
    });
  }

  function editorOf(textarea) {
    var wrapper = textarea.closest(".prose-editor");
    var view = wrapper && wrapper.querySelector(".ProseMirror[contenteditable]");
    return (view && view.editor) || null;
  }

  // The rich-text editor fills its textarea only after an edit, with its own serialisation
  // of the HTML; reading it from the editor compares like with like.
  function richTextValue(textarea) {
    var editor = editorOf(textarea);
    var html = editor ? editor.getHTML() : textarea.value;
    return /^<(\w+)(\s[^>]*)?><\/\1>$/i.test(html) ? "" : html;
  }

  function fields() {
    return Array.prototype.filter.call(form.elements, function (field) {
      return field.name && !SKIPPED.test(field.name) &&
        !/^(file|submit|button|reset|image)$/.test(field.type) && !field.closest("[data-story-backup]");
    });
  }

  function read() {
    var values = {};
    fields().forEach(function (field) {
      if (field.type === "checkbox") {
        values[field.name] = field.checked;
      } else if (field.type === "radio") {
        if (field.checked || !(field.name in values)) values[field.name] = field.checked ? field.value : null;
      } else if (field.tagName === "SELECT") {
        // The option's text too: autocomplete selects hold only their chosen options.
        values[field.name] = Array.prototype.map.call(field.selectedOptions, function (option) {
          return [option.value, option.text];
        });
      } else {
        values[field.name] = isRichText(field) ? richTextValue(field) : field.value;
      }
    });
    return values;
  }

  function comparable(value) {
    return JSON.stringify(Array.isArray(value) ? value.map(function (pair) { return pair[0]; }) : value);
  }

  function differs(backup, current) {
    return Object.keys(backup).some(function (name) {
      return name !== VERSION_FIELD && name in current && comparable(backup[name]) !== comparable(current[name]);
    });
  }

  function load() {
    try {
      var backup = JSON.parse(store.getItem(key));
      return backup && backup.fields ? backup : null;
    } catch (error) {
      return null;
    }
  }

  function save() {
    try {
      store.setItem(key, JSON.stringify({ savedAt: new Date().toISOString(), fields: read() }));
    } catch (error) {
      /* storage full: nothing more this page can do */
    }
  }

  var restoring = false;

  function restoreSelect(select, pairs) {
    var wanted = pairs.map(function (pair) { return pair[0]; });
    pairs.forEach(function (pair) {
      var exists = Array.prototype.some.call(select.options, function (o) { return o.value === pair[0]; });
      if (!exists) select.add(new Option(pair[1], pair[0]));
    });
    Array.prototype.forEach.call(select.options, function (option) {
      option.selected = wanted.indexOf(option.value) !== -1;
    });
  }

  function restore(values) {
    restoring = true;
    var first = null;
    var current = read();
    fields().forEach(function (field) {
      if (!(field.name in values)) return;
      var value = values[field.name];
      if (first === null && field.name !== VERSION_FIELD && comparable(value) !== comparable(current[field.name])) {
        first = field;
      }
      if (field.type === "checkbox") {
        field.checked = Boolean(value);
      } else if (field.type === "radio") {
        field.checked = field.value === value;
      } else if (field.tagName === "SELECT") {
        restoreSelect(field, value);
      } else if (isRichText(field)) {
        field.value = value;
        var editor = editorOf(field);
        if (editor) editor.commands.setContent(value || "", { emitUpdate: true });
      } else {
        field.value = value;
      }
      field.dispatchEvent(new Event("input", { bubbles: true }));
      field.dispatchEvent(new Event("change", { bubbles: true }));
    });
    restoring = false;
    return first;
  }

  function say(text) {
    if (status) status.textContent = text;
  }

  function hhmm(date) {
    return ("0" + date.getHours()).slice(-2) + ":" + ("0" + date.getMinutes()).slice(-2);
  }

  function plainText(html) {
    var page = new DOMParser().parseFromString(html, "text/html"); // inert: nothing runs
    return Array.prototype.map.call(page.body.children, function (block) {
      return block.textContent;
    }).join("\n\n") || page.body.textContent;
  }

  // For a form that can no longer take the copy (the story became read-only for this user):
  // its text fields are shown to copy instead.
  function showCopy(backup) {
    var list = box.querySelector("[data-backup-copy] dl");
    Object.keys(backup.fields).forEach(function (name) {
      var value = backup.fields[name];
      if (typeof value !== "string" || !value.trim() || name === VERSION_FIELD) return;
      if (/-|_\d+$/.test(name) || /^\d+$/.test(value)) return; // inline rows, dates, ids
      var term = document.createElement("dt");
      term.textContent = (name.charAt(0).toUpperCase() + name.slice(1)).replace(/_/g, " ");
      var text = document.createElement("dd");
      text.textContent = /^\s*</.test(value) ? plainText(value) : value;
      list.append(term, text);
    });
    box.querySelector("[data-backup-copy]").hidden = false;
    box.querySelector("[data-backup-restore]").hidden = true;
  }

  function offer(backup, readOnly) {
    if (readOnly) showCopy(backup);
    var when = new Date(backup.savedAt);
    box.hidden = false;
    // Filled after it is shown, so that screen readers announce it.
    var message = box.querySelector("[data-backup-message]");
    var text = readOnly ? "[data-backup-read-only-text]" : "[data-backup-message-text]";
    message.appendChild(box.querySelector("template" + text).content.cloneNode(true));
    box.querySelectorAll("time").forEach(function (time) {
      time.dateTime = when.toISOString();
      time.textContent = hhmm(when);
    });
    box.querySelector("[data-backup-restore]").addEventListener("click", function () {
      var first = restore(backup.fields);
      dirty = true;
      save(); // the restored text is the copy now, until it is saved
      box.hidden = true;
      say(status.getAttribute("data-restored"));
      if (first) {
        var target = first.closest(".prose-editor") ? first.closest(".prose-editor").querySelector(".ProseMirror[contenteditable]") : first;
        if (target && target.focus) target.focus();
      }
    });
    box.querySelector("[data-backup-discard]").addEventListener("click", function () {
      store.removeItem(key);
      box.hidden = true;
      say(status.getAttribute("data-discarded"));
    });
  }

  function editorsReady() {
    var waits = fields().filter(isRichText).map(function (textarea) {
      return new Promise(function (resolve) {
        if (editorOf(textarea)) return resolve();
        var timer = setTimeout(resolve, EDITOR_WAIT_MS);
        document.addEventListener("prose-editor:ready", function (event) {
          if (event.detail && event.detail.textarea === textarea) {
            clearTimeout(timer);
            resolve();
          }
        });
      });
    });
    return Promise.all(waits);
  }

  var ready = editorsReady();
  var pending = null;
  var dirty = false;

  // Only what a person does counts: widgets fire change events of their own as they start,
  // and a copy written from those would replace the one waiting to be restored. The rich-text
  // editor reports every edit (typing, its toolbar, pasting) through its textarea.
  function changed(event) {
    if (restoring) return;
    var byPerson = event.isTrusted || isRichText(event.target) || /^select2:/.test(event.type);
    if (!byPerson) return;
    dirty = true;
    clearTimeout(pending);
    pending = setTimeout(function () { ready.then(save); }, DEBOUNCE_MS);
  }

  function flush() {
    if (!dirty) return;
    clearTimeout(pending);
    save();
  }

  form.addEventListener("input", changed);
  form.addEventListener("change", changed);
  // select2 (section, photo, bylines, tags) announces a person's choice with jQuery events.
  var $ = window.django && window.django.jQuery;
  if ($) $(form).on("select2:select select2:unselect select2:clear", changed);
  form.addEventListener("submit", flush);
  window.addEventListener("pagehide", flush);

  ready.then(function () {
    var backup = load();
    if (!backup) return;
    var current = read();
    var editable = Object.keys(backup.fields).some(function (name) {
      return name !== VERSION_FIELD && name in current;
    });
    if (!editable) offer(backup, true);
    else if (differs(backup.fields, current)) offer(backup, false);
  });
})();
