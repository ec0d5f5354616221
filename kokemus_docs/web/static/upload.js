// Drag and drop onto the upload box; the plain file input works without this script.
(function () {
  var drop = document.getElementById("drop");
  var input = document.getElementById("upload-file");
  if (!drop || !input || typeof DataTransfer === "undefined") { return; }
  ["dragenter", "dragover"].forEach(function (name) {
    drop.addEventListener(name, function (event) { event.preventDefault(); drop.classList.add("over"); });
  });
  ["dragleave", "drop"].forEach(function (name) {
    drop.addEventListener(name, function () { drop.classList.remove("over"); });
  });
  drop.addEventListener("drop", function (event) {
    event.preventDefault();
    if (event.dataTransfer && event.dataTransfer.files.length) {
      input.files = event.dataTransfer.files;
      document.getElementById("upload-form").submit();
    }
  });
})();

// A step or an upload can take seconds (PDFs, many forms): say that it is running, and take no second click.
(function () {
  document.querySelectorAll("form[data-working]").forEach(function (form) {
    form.addEventListener("submit", function () {
      var button = form.querySelector("button[type=submit]");
      if (button) { button.disabled = true; }
      var note = document.createElement("p");
      note.className = "working";
      note.setAttribute("role", "status");
      note.textContent = form.getAttribute("data-working");
      form.appendChild(note);
    });
  });
})();
