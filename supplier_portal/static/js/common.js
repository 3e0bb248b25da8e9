// Shared helpers: translated messages from the page's <template id="msg">, CSRF-protected JSON posts,
// errors shown next to their field.
export function msg(key) {
  const template = document.getElementById("msg");
  const node = template && template.content.querySelector(`[data-k="${key}"]`);
  return node ? node.textContent : key;
}

export function csrfToken() {
  return document.querySelector('meta[name="csrf-token"]').content;
}

export async function postJSON(url, body) {
  const response = await fetch(url, {
    method: "POST",
    credentials: "same-origin",
    headers: { "Content-Type": "application/json", "Accept": "application/json", "X-CSRF-Token": csrfToken() },
    body: JSON.stringify(body),
  });
  let data = {};
  try { data = await response.json(); } catch { data = { error: response.statusText }; }
  return { ok: response.ok, status: response.status, data };
}

export function showError(field, text) {
  const node = document.getElementById("err-" + field);
  if (!node) return false;
  node.textContent = text || "";
  node.hidden = !text;
  if (text) node.setAttribute("role", "alert");
  return true;
}

export function clearErrors(root = document) {
  root.querySelectorAll(".field-error").forEach((n) => { n.hidden = true; n.textContent = ""; });
}

export function download(filename, text, type = "application/json") {
  const url = URL.createObjectURL(new Blob([text], { type }));
  const a = document.createElement("a");
  a.href = url;
  a.download = filename;
  document.body.appendChild(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}
