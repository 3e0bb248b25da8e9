// Evidence upload with a progress bar: XMLHttpRequest reports upload progress events (fetch does not);
// the body is multipart/form-data with the file part "file", the CSRF token in the X-CSRF-Token header.
import { clearErrors, csrfToken, msg, showError } from "./common.js";

const form = document.getElementById("evidence-form");
const input = document.getElementById("evidence-file");
const bar = document.getElementById("evidence-progress");
const status = document.getElementById("evidence-status");
const button = document.getElementById("evidence-submit");

function say(key, params = {}) {
  let text = msg(key);
  for (const [name, value] of Object.entries(params)) text = text.replace(`{${name}}`, String(value));
  status.textContent = text;
}

function upload(file) {
  const body = new FormData();
  body.append("file", file, file.name);
  const xhr = new XMLHttpRequest();
  xhr.open("POST", form.action);
  xhr.setRequestHeader("X-CSRF-Token", csrfToken());
  xhr.setRequestHeader("Accept", "application/json");
  xhr.responseType = "json";
  xhr.upload.addEventListener("progress", (event) => {
    if (!event.lengthComputable) return;
    const percent = Math.floor((100 * event.loaded) / event.total);
    bar.value = percent;
    say("uploading", { percent });
  });
  xhr.upload.addEventListener("load", () => { bar.value = 100; say("storing"); });
  xhr.addEventListener("load", () => {
    button.disabled = false;
    const data = xhr.response || {};
    if (xhr.status === 200 || xhr.status === 201) {
      say("stored", { cid: data.cid });
      location.assign(`${form.action}?stored=${encodeURIComponent(data.cid)}`);
    } else {
      bar.hidden = true;
      status.textContent = "";
      showError("file", data.error || msg("failed"));
    }
  });
  xhr.addEventListener("error", () => {
    button.disabled = false;
    bar.hidden = true;
    showError("file", msg("failed"));
  });
  button.disabled = true;
  bar.hidden = false;
  bar.value = 0;
  say("uploading", { percent: 0 });
  xhr.send(body);
}

form?.addEventListener("submit", (event) => {
  event.preventDefault();
  clearErrors(form);
  const file = input.files && input.files[0];
  if (!file) { showError("file", msg("choose")); return; }
  upload(file);
});
