// Upload progress for the list form of the people page. The file goes up with XMLHttpRequest so
// that the bytes sent can be shown; once they are all sent, the server reads and stores the list,
// and the page it answers with takes this one's place (the address stays that of the page, so a
// reload never posts the list again). Without this script the form posts as any form does.
"use strict";

function todokeUploadForms(root) {
  root.querySelectorAll("form.upload-form").forEach(function (form) {
    var bar = form.querySelector("progress.upload-progress");
    var status = form.querySelector(".upload-status");
    if (!bar || !status || !window.XMLHttpRequest || !window.FormData || !window.DOMParser) {
      return;
    }
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      var button = form.querySelector("button[type=submit]");
      if (button) {
        button.disabled = true;
      }
      bar.hidden = false;
      status.hidden = false;
      status.textContent = status.dataset.sending;
      var request = new XMLHttpRequest();
      request.open("POST", form.action);
      request.upload.addEventListener("progress", function (e) {
        if (e.lengthComputable) {
          bar.value = Math.round((e.loaded * 100) / e.total);
          status.textContent = status.dataset.sending + " " + bar.value + "%";
        }
      });
      request.upload.addEventListener("load", function () {
        bar.removeAttribute("value"); // indeterminate while the server reads the list
        status.textContent = status.dataset.reading;
      });
      request.addEventListener("load", function () {
        var page = new DOMParser().parseFromString(request.responseText, "text/html");
        document.title = page.title;
        document.body.replaceWith(document.adoptNode(page.body));
        todokeUploadForms(document);
      });
      request.addEventListener("error", function () {
        status.textContent = status.dataset.failed;
        if (button) {
          button.disabled = false;
        }
      });
      request.send(new FormData(form));
    });
  });
}

todokeUploadForms(document);
