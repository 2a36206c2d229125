// slant page: sends the text to the local API and highlights the spans it returns.
//
// Rules this file keeps:
// - User text only ever reaches the DOM through textContent / createTextNode (never as markup), so markup in
//   an article shows as text and cannot run.
// - The API's offsets count Python code points; JS strings index UTF-16 code units. Every offset goes through
//   a code-point -> UTF-16 map built once per text, so highlights stay aligned after emoji and other astral
//   characters.
// - The text is cut at span boundaries once; each segment carries every span covering it (overlaps), and the
//   whole result is built in a DocumentFragment, so a 50,000-character article renders in one DOM insertion.
"use strict";

(() => {
  const $ = (id) => document.getElementById(id);
  const HTML_FILE = /\.x?html?$/i;

  const state = {
    labels: new Map(), // id -> {id, name, definition, example, kind, color, border, ink}
    text: "", // the exact text the current result refers to
    result: null, // the API's answer
    segments: [], // [{start, end, spans: [span]}], code-point offsets
    marks: [], // <mark> per covered segment, parallel to the covered segments
    hidden: new Set(), // label ids unticked in the filters
  };

  // ---- labels and colours ------------------------------------------------------------------------------
  function colourFor(id, index) {
    // slant.palette's colours, the same as the report's and the terminal's, come from palette.css.
    const css = getComputedStyle(document.documentElement);
    const color = css.getPropertyValue(`--slant-bg-${id}`).trim();
    if (color) {
      return {
        color,
        border: css.getPropertyValue(`--slant-edge-${id}`).trim(),
        ink: css.getPropertyValue(`--slant-fg-${id}`).trim(),
      };
    }
    // A label the palette does not know (a custom model's): golden-angle hues, light enough for dark text.
    const hue = Math.round((index * 137.508) % 360);
    return { color: `hsl(${hue} 85% 80%)`, border: `hsl(${hue} 65% 35%)`, ink: "#1b1b1b" };
  }

  function ensureLabel(id, name) {
    if (!state.labels.has(id)) {
      const entry = { id, name: name || id, definition: "", example: "", kind: "technique" };
      Object.assign(entry, colourFor(id, state.labels.size));
      state.labels.set(id, entry);
    }
    return state.labels.get(id);
  }

  async function loadLabels() {
    try {
      const response = await fetch("/api/labels");
      if (!response.ok) return;
      const data = await response.json();
      for (const label of data.labels) {
        const entry = ensureLabel(label.id, label.name);
        Object.assign(entry, { name: label.name, definition: label.definition, example: label.example, kind: label.kind });
      }
    } catch (err) {
      // The page still works without definitions: names fall back to ids.
      console.warn("could not load labels", err);
    }
  }

  // ---- offsets and segments ------------------------------------------------------------------------------
  // map[i] = UTF-16 index of code point i; map[count] = text.length.
  function codePointMap(text) {
    const map = new Uint32Array(text.length + 1); // at most one entry per code unit
    let cp = 0;
    let unit = 0;
    for (const ch of text) {
      map[cp++] = unit;
      unit += ch.length;
    }
    map[cp] = unit;
    return map.subarray(0, cp + 1);
  }

  function buildSegments(spans, length) {
    const opens = new Map();
    const closes = new Map();
    const bounds = new Set([0, length]);
    for (const span of spans) {
      if (!(Number.isInteger(span.start) && Number.isInteger(span.end))) continue;
      if (span.start < 0 || span.end > length || span.start >= span.end) continue;
      bounds.add(span.start);
      bounds.add(span.end);
      if (!opens.has(span.start)) opens.set(span.start, []);
      if (!closes.has(span.end)) closes.set(span.end, []);
      opens.get(span.start).push(span);
      closes.get(span.end).push(span);
    }
    const sorted = Array.from(bounds).sort((a, b) => a - b);
    const active = new Set();
    const segments = [];
    for (let j = 0; j + 1 < sorted.length; j++) {
      const at = sorted[j];
      for (const span of closes.get(at) || []) active.delete(span);
      for (const span of opens.get(at) || []) active.add(span);
      segments.push({ start: at, end: sorted[j + 1], spans: Array.from(active) });
    }
    return segments;
  }

  // ---- rendering -----------------------------------------------------------------------------------------
  function render(text, result) {
    const map = codePointMap(text);
    const length = map.length - 1;
    if (result.length !== undefined && result.length !== length) {
      setStatus(`Warning: the server counted ${result.length} characters, the page ${length}.`, true);
    }
    for (const span of result.spans) ensureLabel(span.label, (result.names || {})[span.label]);
    state.text = text;
    state.result = result;
    state.segments = buildSegments(result.spans, length);
    state.marks = [];
    const fragment = document.createDocumentFragment();
    state.segments.forEach((segment, index) => {
      const piece = text.slice(map[segment.start], map[segment.end]);
      if (segment.spans.length === 0) {
        fragment.appendChild(document.createTextNode(piece));
        return;
      }
      const mark = document.createElement("mark");
      mark.className = "hl";
      mark.tabIndex = 0;
      mark.textContent = piece;
      mark.dataset.segment = String(index);
      mark.dataset.start = String(segment.start);
      mark.dataset.end = String(segment.end);
      mark.dataset.labels = Array.from(new Set(segment.spans.map((s) => s.label))).join(" ");
      mark.setAttribute("aria-describedby", "tooltip");
      fragment.appendChild(mark);
      state.marks.push(mark);
    });
    $("output").replaceChildren(fragment);
    renderFilters(result);
    applyFilters();
    const n = result.spans.length;
    $("summary").textContent = n === 0 ? "No spans found." : `${n} span${n === 1 ? "" : "s"}`;
    $("results").hidden = false;
  }

  function renderFilters(result) {
    const list = $("filter-list");
    const fragment = document.createDocumentFragment();
    // Taxonomy order, so the legend does not reshuffle between texts.
    const present = Array.from(state.labels.values()).filter((l) => result.labels[l.id]);
    for (const label of present) {
      const item = document.createElement("li");
      const box = document.createElement("input");
      box.type = "checkbox";
      box.id = `filter-${label.id}`;
      box.value = label.id;
      box.checked = !state.hidden.has(label.id);
      const text = document.createElement("label");
      text.htmlFor = box.id;
      const swatch = document.createElement("span");
      swatch.className = "swatch";
      swatch.style.setProperty("--c", label.color);
      swatch.style.setProperty("--b", label.border);
      const count = document.createElement("span");
      count.className = "count";
      count.textContent = ` (${result.labels[label.id]})`;
      text.append(swatch, document.createTextNode(label.name), count);
      if (label.definition) text.title = label.definition;
      item.append(box, text);
      fragment.appendChild(item);
    }
    list.replaceChildren(fragment);
  }

  function visibleSpans(segment) {
    return segment.spans.filter((s) => !state.hidden.has(s.label)).sort((a, b) => b.score - a.score);
  }

  function applyFilters() {
    hideTooltip();
    for (const mark of state.marks) {
      const visible = visibleSpans(state.segments[Number(mark.dataset.segment)]);
      if (visible.length === 0) {
        mark.classList.add("off");
        mark.tabIndex = -1; // a hidden highlight is no longer a tab stop
        continue;
      }
      const top = state.labels.get(visible[0].label);
      mark.classList.remove("off");
      mark.classList.toggle("multi", new Set(visible.map((s) => s.label)).size > 1);
      mark.style.setProperty("--c", top.color);
      mark.style.setProperty("--b", top.border);
      mark.style.setProperty("--f", top.ink);
      mark.tabIndex = 0;
    }
  }

  // ---- tooltip (one shared element, filled on hover or focus) -----------------------------------------
  function showTooltip(mark) {
    const visible = visibleSpans(state.segments[Number(mark.dataset.segment)]);
    const tip = $("tooltip");
    if (visible.length === 0) return hideTooltip();
    const fragment = document.createDocumentFragment();
    for (const span of visible) {
      const label = state.labels.get(span.label);
      const item = document.createElement("div");
      item.className = "tip-item";
      const head = document.createElement("div");
      const swatch = document.createElement("span");
      swatch.className = "swatch";
      swatch.style.setProperty("--c", label.color);
      swatch.style.setProperty("--b", label.border);
      const name = document.createElement("span");
      name.className = "tip-name";
      name.textContent = label.name;
      head.append(swatch, name, document.createTextNode(` · score ${span.score.toFixed(2)}`));
      item.appendChild(head);
      if (label.definition) {
        const definition = document.createElement("p");
        definition.textContent = label.definition;
        item.appendChild(definition);
      }
      const quoted = document.createElement("p");
      quoted.textContent = `“${span.text.length > 160 ? span.text.slice(0, 157) + "…" : span.text}”`;
      item.appendChild(quoted);
      fragment.appendChild(item);
    }
    tip.replaceChildren(fragment);
    tip.hidden = false;
    const rect = mark.getBoundingClientRect();
    const width = tip.offsetWidth;
    const left = Math.max(8, Math.min(rect.left, document.documentElement.clientWidth - width - 8));
    tip.style.left = `${left + window.scrollX}px`;
    tip.style.top = `${rect.bottom + window.scrollY + 6}px`;
  }

  function hideTooltip() {
    $("tooltip").hidden = true;
  }

  function wireTooltip() {
    // Delegated listeners: one set for the whole output, however many highlights it holds.
    const output = $("output");
    const markOf = (node) => (node instanceof Element ? node.closest("mark.hl:not(.off)") : null);
    output.addEventListener("mouseover", (event) => {
      const mark = markOf(event.target);
      if (mark) showTooltip(mark);
    });
    output.addEventListener("mouseout", (event) => {
      if (markOf(event.target) && markOf(event.relatedTarget) !== markOf(event.target)) hideTooltip();
    });
    output.addEventListener("focusin", (event) => {
      const mark = markOf(event.target);
      if (mark) showTooltip(mark);
    });
    output.addEventListener("focusout", hideTooltip);
    document.addEventListener("keydown", (event) => {
      if (event.key === "Escape") hideTooltip();
    });
  }

  // ---- input: text, files --------------------------------------------------------------------------------
  const BLOCK = new Set(
    "address article aside blockquote dd div dl dt figcaption figure footer h1 h2 h3 h4 h5 h6 header hr li main nav ol p pre section table tr td th ul".split(
      " ",
    ),
  );
  const SKIP = new Set(["script", "style", "noscript", "template", "iframe", "object", "svg", "head", "button", "form"]);

  // HTML files are turned into text here, in the browser: DOMParser builds an inert document (no scripts
  // run, no images load) and we keep its text with paragraph breaks. Nothing is sent anywhere but the text.
  function htmlToText(html) {
    const doc = new DOMParser().parseFromString(html, "text/html");
    const root = doc.querySelector("article") || doc.body || doc.documentElement;
    const parts = [];
    const walk = (node) => {
      for (const child of node.childNodes) {
        if (child.nodeType === Node.TEXT_NODE) {
          parts.push(child.nodeValue.replace(/\s+/g, " "));
        } else if (child.nodeType === Node.ELEMENT_NODE) {
          const tag = child.localName;
          if (SKIP.has(tag)) continue;
          if (tag === "br") {
            parts.push("\n");
            continue;
          }
          const block = BLOCK.has(tag);
          if (block) parts.push("\n\n");
          walk(child);
          if (block) parts.push("\n\n");
        }
      }
    };
    if (root) walk(root);
    return parts
      .join("")
      .replace(/[ \t]*\n[ \t]*/g, "\n")
      .replace(/\n{3,}/g, "\n\n")
      .trim();
  }

  async function loadFile(file) {
    if (!file) return;
    try {
      const raw = await file.text();
      const isHtml = HTML_FILE.test(file.name) || file.type === "text/html";
      const text = isHtml ? htmlToText(raw) : raw;
      $("input").value = text;
      setStatus(`Loaded ${file.name} (${Array.from(text).length} characters).`);
      await analyse();
    } catch (err) {
      setStatus(`Could not read ${file.name}: ${err}`, true);
    }
  }

  function wireFiles() {
    const zone = $("dropzone");
    $("file").addEventListener("change", (event) => {
      loadFile(event.target.files[0]);
      event.target.value = "";
    });
    zone.addEventListener("dragover", (event) => {
      event.preventDefault();
      zone.classList.add("dragging");
    });
    zone.addEventListener("dragleave", () => zone.classList.remove("dragging"));
    zone.addEventListener("drop", (event) => {
      zone.classList.remove("dragging");
      const file = event.dataTransfer && event.dataTransfer.files[0];
      if (file) {
        event.preventDefault();
        loadFile(file);
      }
    });
  }

  // ---- the API call ----------------------------------------------------------------------------------------
  function setStatus(message, isError = false) {
    const status = $("status");
    status.textContent = message;
    status.classList.toggle("error", isError);
  }

  function describeError(status, body) {
    const detail = body && body.detail;
    let text = "";
    if (typeof detail === "string") text = detail;
    else if (Array.isArray(detail)) text = detail.map((d) => `${(d.loc || []).join(".")}: ${d.msg}`).join("; ");
    if (status === 413) return `The text is too large for this server (${text}).`;
    if (status === 503) return `The server is busy: ${text || "try again shortly"}.`;
    return `Request failed (${status}${text ? ": " + text : ""}).`;
  }

  async function analyse() {
    const text = $("input").value; // snapshot: later edits do not shift this result's offsets
    if (!text.trim()) {
      setStatus("Paste some text or drop a file first.", true);
      return;
    }
    const button = $("analyse");
    button.disabled = true;
    setStatus("Analysing…");
    const started = performance.now();
    try {
      const response = await fetch("/api/classify", {
        method: "POST",
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify({ text }),
      });
      let body = null;
      try {
        body = await response.json();
      } catch {
        body = null;
      }
      if (!response.ok) {
        setStatus(describeError(response.status, body), true);
        return;
      }
      render(text, body);
      const seconds = ((performance.now() - started) / 1000).toFixed(1);
      setStatus(`Done in ${seconds} s.`);
    } catch (err) {
      setStatus(`Could not reach the server: ${err}`, true);
    } finally {
      button.disabled = false;
    }
  }

  function download() {
    if (!state.result) return;
    const payload = { text: state.text, ...state.result };
    const blob = new Blob([JSON.stringify(payload, null, 2)], { type: "application/json" });
    const url = URL.createObjectURL(blob);
    const link = document.createElement("a");
    link.href = url;
    link.download = "slant-result.json";
    document.body.appendChild(link);
    link.click();
    link.remove();
    setTimeout(() => URL.revokeObjectURL(url), 1000);
  }

  function setAll(show) {
    state.hidden = show ? new Set() : new Set(Object.keys(state.result ? state.result.labels : {}));
    for (const box of $("filter-list").querySelectorAll("input[type=checkbox]")) box.checked = show;
    applyFilters();
  }

  function init() {
    $("analyse").addEventListener("click", analyse);
    $("input").addEventListener("keydown", (event) => {
      if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) analyse();
    });
    $("download").addEventListener("click", download);
    $("show-all").addEventListener("click", () => setAll(true));
    $("hide-all").addEventListener("click", () => setAll(false));
    $("filter-list").addEventListener("change", (event) => {
      const box = event.target;
      if (box.checked) state.hidden.delete(box.value);
      else state.hidden.add(box.value);
      applyFilters();
    });
    wireTooltip();
    wireFiles();
    loadLabels();
  }

  init();
  // For tests and debugging: the current result and a pure helper, read-only use.
  window.slant = { state, codePointMap, buildSegments, htmlToText };
})();
