// textwash playground: POST the pasted text (or HTML) to /v1/clean and show what went and why.
"use strict";

// Split on the newline conventions the engine splits on (heuristics/segment.py) so line numbers match.
const LINE_BREAKS = /\r\n|[\n\r\v\f\x85\u2028\u2029]/;

function splitLines(text) {
  return text.split(LINE_BREAKS);
}

function badge(text, kind) {
  const span = document.createElement("span");
  span.className = "badge" + (kind ? " " + kind : "");
  span.textContent = text;
  return span;
}

// The judged lines: the input's own for text; for HTML the lines the engine read from the page
// (explain's traces, asked for with every HTML request), blank lines between blocks left out.
function judgedLines(input, kind, result) {
  if (kind !== "html") return splitLines(input);
  const texts = [];
  for (const trace of result.lines || []) texts[trace.line] = trace.text;
  return Array.from(texts, (text) => text || "");
}

function renderRemoved(result) {
  const list = document.getElementById("removed");
  list.replaceChildren();
  for (const gone of result.removed) {
    const li = document.createElement("li");
    li.dataset.line = String(gone.line);
    li.dataset.category = gone.category;
    li.append(gone.text, badge(gone.category), badge(gone.rule, "rule"));
    list.append(li);
  }
  document.getElementById("removed-count").textContent = `(${result.removed.length})`;
}

function renderLines(lines, result) {
  const removed = new Map(result.removed.map((r) => [r.line, r]));
  const stripped = new Map(result.stripped.map((s) => [s.line, s]));
  const traces = new Map((result.lines || []).map((t) => [t.line, t]));
  const list = document.getElementById("lines");
  list.replaceChildren();
  lines.forEach((text, index) => {
    const li = document.createElement("li");
    li.dataset.line = String(index);
    const gone = removed.get(index);
    const prefix = stripped.get(index);
    if (gone) {
      li.className = "removed";
      li.dataset.category = gone.category;
      li.append(text, badge(gone.category), badge(gone.rule, "rule"));
      if (typeof gone.score === "number") li.append(badge(gone.score.toFixed(2), "score"));
    } else if (prefix && text.includes(prefix.text)) {
      const at = text.indexOf(prefix.text);
      const mark = document.createElement("span");
      mark.className = "prefix";
      mark.title = prefix.category + " (" + prefix.rule + ")";
      mark.textContent = prefix.text;
      li.append(text.slice(0, at), mark, text.slice(at + prefix.text.length), badge(prefix.category));
    } else {
      li.className = text.trim() ? "kept" : "blank";
      li.append(text);
      const trace = traces.get(index);
      if (trace && typeof trace.score === "number") li.append(badge(trace.score.toFixed(2), "score"));
    }
    list.append(li);
  });
  document.getElementById("summary").textContent =
    `(${result.removed.length} removed, ${result.paragraphs.length} paragraphs kept)`;
}

function renderMetadata(metadata) {
  const table = document.getElementById("metadata");
  table.replaceChildren();
  for (const [key, value] of Object.entries(metadata)) {
    if (value === null || (Array.isArray(value) && !value.length)) continue;
    const row = table.insertRow();
    row.insertCell().textContent = key;
    row.insertCell().textContent = typeof value === "string" ? value : JSON.stringify(value);
  }
}

async function cleanText(event) {
  event.preventDefault();
  const status = document.getElementById("status");
  const input = document.getElementById("input").value;
  const kind = document.getElementById("kind").value;
  const apiKey = document.getElementById("apikey").value.trim();
  const headers = { "Content-Type": "application/json" };
  if (apiKey) headers["Authorization"] = "Bearer " + apiKey;
  const body = {
    [kind === "html" ? "html" : "text"]: input,
    options: {
      mode: document.getElementById("mode").value,
      explain: kind === "html" || document.getElementById("explain").checked,
    },
  };
  status.className = "";
  status.textContent = "cleaning…";
  try {
    const response = await fetch("/v1/clean", { method: "POST", headers, body: JSON.stringify(body) });
    const payload = await response.json();
    if (!response.ok) {
      status.className = "error";
      status.textContent = `${payload.status} ${payload.title}: ${payload.detail}`;
      return;
    }
    renderRemoved(payload);
    renderLines(judgedLines(input, kind, payload), payload);
    document.getElementById("output-text").textContent = payload.text;
    renderMetadata(payload.metadata);
    status.textContent = `done (engine ${payload.version.package})`;
  } catch (error) {
    status.className = "error";
    status.textContent = "request failed: " + error;
  }
}

async function loadExample() {
  const kind = document.getElementById("kind").value;
  const status = document.getElementById("status");
  const response = await fetch(kind === "html" ? "/static/example.html" : "/static/example.txt");
  if (!response.ok) {
    status.className = "error";
    status.textContent = `${response.status} example not found`;
    return;
  }
  document.getElementById("input").value = await response.text();
  status.className = "";
  status.textContent = "example loaded: press Clean";
}

document.getElementById("form").addEventListener("submit", cleanText);
document.getElementById("example").addEventListener("click", loadExample);
