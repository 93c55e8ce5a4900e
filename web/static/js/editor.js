// The SPARQL editor: CodeMirror 5 (vendored) with completion of prefixes and of our ontology's terms.
(function () {
  "use strict";
  const textarea = document.getElementById("query-text");
  const form = document.getElementById("editor-form");
  const select = document.getElementById("example");
  if (!textarea || typeof CodeMirror === "undefined") return;

  let vocabulary = { prefixes: {}, terms: [], entities: [], examples: [] };
  fetch(select.dataset.vocabulary, { headers: { Accept: "application/json" } })
    .then((r) => (r.ok ? r.json() : vocabulary))
    .then((v) => { vocabulary = v; });

  const KEYWORDS = ["SELECT", "DISTINCT", "WHERE", "OPTIONAL", "FILTER", "UNION", "GRAPH", "PREFIX", "ORDER BY",
    "GROUP BY", "HAVING", "LIMIT", "OFFSET", "VALUES", "BIND", "CONSTRUCT", "DESCRIBE", "ASK", "MINUS", "EXISTS",
    "NOT EXISTS", "COUNT", "GROUP_CONCAT", "SAMPLE", "STRSTARTS", "CONTAINS", "LCASE", "REGEX", "isIRI", "STR"];

  function declared(text) {
    const found = new Set();
    for (const m of text.matchAll(/PREFIX\s+([A-Za-z][\w-]*)?:/gi)) found.add(m[1] || "");
    return found;
  }

  // Adds the PREFIX line for a CURIE's prefix when the query does not declare it yet.
  function ensurePrefix(cm, prefix) {
    const iri = vocabulary.prefixes[prefix];
    if (!iri || declared(cm.getValue()).has(prefix)) return;
    cm.replaceRange("PREFIX " + prefix + ": <" + iri + ">\n", CodeMirror.Pos(0, 0));
  }

  function hint(cm) {
    const cursor = cm.getCursor();
    const line = cm.getLine(cursor.line);
    let start = cursor.ch;
    while (start > 0 && /[\w:\-]/.test(line.charAt(start - 1))) start--;
    const word = line.slice(start, cursor.ch);
    const lower = word.toLowerCase();
    const list = [];
    if (/^\s*PREFIX\s+[\w-]*$/i.test(line.slice(0, cursor.ch))) {
      for (const [p, iri] of Object.entries(vocabulary.prefixes)) {
        if (p.startsWith(lower)) list.push({ text: p + ": <" + iri + ">", displayText: p + ": <" + iri + ">" });
      }
    } else {
      for (const term of vocabulary.terms) {
        const bare = term.curie.split(":")[1].toLowerCase();
        if (term.curie.toLowerCase().startsWith(lower) || (!word.includes(":") && bare.startsWith(lower)) ||
            (word.length > 2 && term.label.toLowerCase().includes(lower))) {
          list.push({ text: term.curie, displayText: term.curie + "  — " + term.label + " (" + term.kind + ")",
                      hint: (editor, data, completion) => {
                        editor.replaceRange(completion.text, data.from, data.to);
                        ensurePrefix(editor, completion.text.split(":")[0]);
                      } });
        }
      }
      // Entities by label, synonym or brand name: "lenal", "Revlimid", "Myeloma XI" -> res:...
      if (word.length > 1 && !word.includes(":")) {
        for (const entity of vocabulary.entities || []) {
          const names = [entity.label, ...(entity.names || [])];
          const match = names.find((n) => n.toLowerCase().startsWith(lower) ||
                                          (word.length > 3 && n.toLowerCase().includes(lower)));
          if (!match) continue;
          list.push({ text: entity.curie, displayText: entity.curie + "  — " + entity.label +
                        (match !== entity.label ? " (" + match + ")" : "") + " (" + entity.kind + ")",
                      hint: (editor, data, completion) => {
                        editor.replaceRange(completion.text, data.from, data.to);
                        ensurePrefix(editor, completion.text.split(":")[0]);
                      } });
        }
      }
      for (const k of KEYWORDS) if (word && k.toLowerCase().startsWith(lower)) list.push(k);
    }
    return { list: list.slice(0, 60), from: CodeMirror.Pos(cursor.line, start), to: cursor };
  }

  const cm = CodeMirror.fromTextArea(textarea, {
    mode: "application/sparql-query", lineNumbers: true, matchBrackets: true, indentUnit: 2,
    viewportMargin: Infinity,
    extraKeys: {
      "Ctrl-Space": (editor) => editor.showHint({ hint: hint, completeSingle: false }),
      "Ctrl-Enter": () => { cm.save(); form.submit(); },
      "Cmd-Enter": () => { cm.save(); form.submit(); },
    },
  });
  cm.on("inputRead", (editor, change) => {
    if (/[\w:]/.test(change.text.join(""))) editor.showHint({ hint: hint, completeSingle: false });
  });

  // Put the cursor on the parser's error position.
  const position = document.getElementById("error-position");
  if (position) {
    const pos = CodeMirror.Pos(Number(position.dataset.line) - 1, Number(position.dataset.column) - 1);
    cm.focus();
    cm.setCursor(pos);
    cm.addLineClass(pos.line, "background", "error-line");
  }

  // Mark the terms the vocabulary lint warned about, where they are.
  document.querySelectorAll(".query-warning[data-line]").forEach((item) => {
    const line = Number(item.dataset.line) - 1;
    const from = CodeMirror.Pos(line, Number(item.dataset.column) - 1);
    const to = CodeMirror.Pos(line, from.ch + Number(item.dataset.length));
    cm.addLineClass(line, "background", "warning-line");
    cm.markText(from, to, { className: "warning-term", attributes: { title: item.textContent } });
  });

  select.addEventListener("change", () => {
    const example = vocabulary.examples.find((e) => e.name === select.value);
    if (example) {
      cm.setValue(example.sparql);
      history.replaceState(null, "", "?" + new URLSearchParams({ query: example.sparql, run: "0" }));
    } else if (select.value) {
      window.location.search = "?" + new URLSearchParams({ example: select.value });
    }
  });
  // Recent queries, kept in this browser only (localStorage): the last 20 run, newest first.
  const KEY = "mmkg.recent-queries";
  const recent = document.getElementById("recent");
  const load = () => { try { return JSON.parse(localStorage.getItem(KEY) || "[]"); } catch (e) { return []; } };
  const remember = (text) => {
    const trimmed = text.trim();
    if (!trimmed) return;
    const list = [trimmed, ...load().filter((q) => q !== trimmed)].slice(0, 20);
    try { localStorage.setItem(KEY, JSON.stringify(list)); } catch (e) { /* storage full or off */ }
  };
  if (recent) {
    for (const [i, text] of load().entries()) {
      const option = document.createElement("option");
      option.value = String(i);
      option.textContent = text.replace(/\s+/g, " ").slice(0, 90);
      recent.appendChild(option);
    }
    recent.addEventListener("change", () => {
      const text = load()[Number(recent.value)];
      if (text !== undefined && recent.value !== "") cm.setValue(text);
    });
  }
  if (document.getElementById("results") || document.querySelector(".error-message")) remember(cm.getValue());
  form.addEventListener("submit", () => { cm.save(); remember(cm.getValue()); });
})();
