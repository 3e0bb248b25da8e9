// Activity-data table: add rows without a round trip.
const body = document.querySelector("#sheet tbody");
const count = document.getElementById("row-count");

document.getElementById("add-row").addEventListener("click", () => {
  const last = body.lastElementChild;
  const index = body.children.length;
  const row = last.cloneNode(true);
  row.querySelector(".rownum").textContent = String(index + 2);
  row.querySelectorAll(".cell-error").forEach((n) => n.remove());
  row.querySelectorAll("td").forEach((td) => td.classList.remove("has-error"));
  row.querySelectorAll("input, select").forEach((field) => {
    field.name = field.name.replace(/^r\d+\./, `r${index}.`);
    field.value = "";
  });
  body.appendChild(row);
  count.value = String(body.children.length);
});
