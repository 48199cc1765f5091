// skywire web UI: the little client code the server-rendered pages use. Live regions follow
// one Server-Sent Events stream (no polling); uptimes count locally; the log page appends lines.
(() => {
  "use strict";

  const body = document.body;
  const LOG_LINES = 500;

  // "3d 4h", "12m 5s": uptime as people read it.
  function formatSince(ms) {
    let s = Math.max(0, Math.floor(ms / 1000));
    const d = Math.floor(s / 86400);
    s -= d * 86400;
    const h = Math.floor(s / 3600);
    s -= h * 3600;
    const m = Math.floor(s / 60);
    s -= m * 60;
    if (d) return `${d}d ${h}h`;
    if (h) return `${h}h ${m}m`;
    if (m) return `${m}m ${s}s`;
    return `${s}s`;
  }

  const counters = document.querySelectorAll("[data-since]");
  if (counters.length) {
    const tick = () => {
      for (const el of counters) {
        el.textContent = formatSince(Date.now() - Date.parse(el.dataset.since));
      }
    };
    tick();
    setInterval(tick, 1000);
  }

  // Copy buttons: <button data-copy="text">.
  document.addEventListener("click", (event) => {
    const button = event.target.closest("[data-copy]");
    if (!button || !navigator.clipboard) return;
    navigator.clipboard.writeText(button.dataset.copy).then(() => {
      const label = button.textContent;
      button.textContent = "Copied";
      setTimeout(() => button.textContent = label, 1500);
    }, () => {});
  });

  // The log level filter and the visor switcher apply as soon as they change (their forms
  // still work without JS).
  for (const select of document.querySelectorAll("#level, [data-autosubmit]")) {
    select.addEventListener("change", () => select.form.submit());
  }

  const levels = ["trace", "debug", "info", "warn", "error", "fatal"];
  const logList = document.getElementById("log-lines");

  function appendLog(entry) {
    if (!logList) return;
    const min = levels.indexOf(logList.dataset.minLevel || "trace");
    if (levels.indexOf(entry.level) < min) return;
    const atBottom = logList.scrollHeight - logList.scrollTop - logList.clientHeight < 40;
    const empty = logList.querySelector(".empty-line");
    if (empty) empty.remove();
    const li = document.createElement("li");
    li.className = entry.level;
    li.textContent = entry.line;
    logList.append(li);
    while (logList.children.length > LOG_LINES) logList.firstElementChild.remove();
    if (atBottom) logList.scrollTop = logList.scrollHeight;
  }
  if (logList) logList.scrollTop = logList.scrollHeight;

  const topics = body.dataset.live;
  if (!topics || typeof EventSource === "undefined") return;
  let url = `/events?topics=${encodeURIComponent(topics)}`;
  if (logList && logList.dataset.after) url += `&after=${logList.dataset.after}`;
  const source = new EventSource(url);
  source.addEventListener("fragment", (event) => {
    const { id, html } = JSON.parse(event.data);
    const el = document.getElementById(id);
    if (el && el.innerHTML !== html) el.innerHTML = html;
  });
  source.addEventListener("log", (event) => appendLog(JSON.parse(event.data)));
  source.addEventListener("error", () => {
    if (source.readyState !== EventSource.CLOSED) return; // the browser reconnects by itself
    // Refused for good (session over, or too many streams): ask the page once; a lost session
    // answers with a redirect to the login page.
    fetch(location.href, { redirect: "manual", cache: "no-store" }).then((response) => {
      if (response.type === "opaqueredirect" || response.status === 401) location.reload();
      else {
        const note = document.getElementById("live-status");
        if (note) note.hidden = false;
      }
    }, () => {});
  });
})();
