// Tells the server this edit page is open and shows who else has the story open.
// Progressive enhancement: the page already lists them when it loads.
(function () {
  "use strict";
  var box = document.querySelector("[data-presence-url]");
  if (!box) return;
  var url = box.getAttribute("data-presence-url");
  var every = parseInt(box.getAttribute("data-presence-seconds"), 10) * 1000 || 20000;
  var token = document.querySelector("input[name=csrfmiddlewaretoken]");

  function show(names) {
    box.hidden = names.length === 0;
    box.textContent = names.length
      ? "Also open by " + names.join(", ") + ". Whoever saves second is told and keeps their text."
      : "";
  }

  function beat() {
    fetch(url, {
      method: "POST",
      credentials: "same-origin",
      headers: { "X-CSRFToken": token ? token.value : "" },
    })
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (data) { if (data) show(data.others); })
      .catch(function () { /* offline for a moment: try again at the next beat */ });
  }

  setInterval(beat, every);
})();
