/* The wallboard, live: refetch data.json when the router tells something happened.
 *
 * The page is rendered by the server with the figures of that moment (and the same figures as
 * JSON in #wallboard-data). This script
 *   - counts the longest waits and the times in state up every second (from the seconds the
 *     server measured plus the time since they arrived, so a wrong clock on the TV does not
 *     matter);
 *   - listens on /ws/live/ and, on any routing.*, agent.presence_changed or contact.transitioned
 *     event, refetches data.json and re-renders. Bursts are coalesced: at most one fetch in
 *     flight and one more queued when events arrived meanwhile;
 *   - reconnects with exponential backoff and resumes with {"since": lastId}, so nothing that
 *     happened while it was away is missed (data.json carries the newest event id);
 *   - refetches every 10 s anyway, in case the socket is down for longer;
 *   - in TV mode, offers a "Full screen" button (Fullscreen API).
 * No build step: plain ES2017 in one file.
 */
(function () {
  "use strict";

  var root = document.getElementById("wallboard");
  if (!root) return;

  var FALLBACK_MS = 10000;
  var BACKOFF_MIN_MS = 1000;
  var BACKOFF_MAX_MS = 30000;
  var STEADY_MS = 5000; // a socket open this long counts as healthy: the backoff starts over

  var dataUrl = root.dataset.url;
  var wsPath = root.dataset.wsPath || "/ws/live/";
  var statusEl = document.getElementById("wb-status");
  var labels = readJson("wallboard-labels") || {};
  var skillNames = readJson("wallboard-skills") || {};
  var initial = readJson("wallboard-data") || {};
  var lastId = typeof initial.last_event_id === "number" ? initial.last_event_id : 0;
  var measuredAt = performance.now(); // when the seconds in [data-seconds] were measured

  function readJson(id) {
    var el = document.getElementById(id);
    if (!el) return null;
    try {
      return JSON.parse(el.textContent);
    } catch (e) {
      return null;
    }
  }

  // --- formatting (as board.py: clock, percent, skill_summary) --------------------------------

  function pad(n) {
    return (n < 10 ? "0" : "") + n;
  }

  function clock(seconds) {
    if (seconds === null || seconds === undefined || isNaN(seconds)) return "–";
    var whole = Math.max(0, Math.floor(seconds));
    var hours = Math.floor(whole / 3600);
    var minutes = Math.floor((whole % 3600) / 60);
    var secs = whole % 60;
    if (hours) return hours + ":" + pad(minutes) + ":" + pad(secs);
    return pad(minutes) + ":" + pad(secs);
  }

  function percent(value) {
    if (value === null || value === undefined) return "–";
    return Math.floor(value * 100 + 0.5) + " %";
  }

  function skillSummary(levels) {
    var codes = Object.keys(levels || {});
    codes.sort(function (a, b) {
      var x = (skillNames[a] || a).toLowerCase();
      var y = (skillNames[b] || b).toLowerCase();
      return x < y ? -1 : x > y ? 1 : 0;
    });
    return codes
      .map(function (code) {
        return (skillNames[code] || code) + " " + levels[code];
      })
      .join(" · ");
  }

  function secondsAttr(seconds) {
    return seconds === null || seconds === undefined ? "" : String(seconds);
  }

  // --- counting up -----------------------------------------------------------------------------

  function tick() {
    var elapsed = (performance.now() - measuredAt) / 1000;
    var cells = root.querySelectorAll(".longest[data-seconds], .in-state[data-seconds]");
    for (var i = 0; i < cells.length; i++) {
      var raw = cells[i].dataset.seconds;
      var text = raw === "" ? "–" : clock(parseFloat(raw) + elapsed);
      if (cells[i].textContent !== text) cells[i].textContent = text;
    }
  }

  // --- rendering -------------------------------------------------------------------------------

  function setText(el, text) {
    if (el && el.textContent !== String(text)) el.textContent = String(text);
  }

  function queueRow(tbody, slug) {
    var row = tbody.querySelector('tr[data-queue="' + CSS.escape(slug) + '"]');
    if (row) return row;
    row = document.createElement("tr");
    row.dataset.queue = slug;
    row.innerHTML =
      '<th scope="row" class="name"></th><td class="num waiting"></td>' +
      '<td class="num longest" data-seconds=""></td><td class="num sl"></td>' +
      '<td class="num target"></td><td class="num handled"></td><td class="num abandoned"></td>';
    return row;
  }

  function renderQueues(queues) {
    var table = document.getElementById("queues");
    if (!table) return;
    var tbody = table.tBodies[0];
    var empty = document.getElementById("queues-empty");
    var keep = new Set();
    queues.forEach(function (q) {
      var row = queueRow(tbody, q.slug);
      keep.add(row);
      var name = row.querySelector(".name");
      var channel = document.createElement("span");
      channel.className = "chan";
      channel.textContent = q.channel;
      if (name.textContent !== q.name + " " + q.channel) {
        name.replaceChildren(document.createTextNode(q.name + " "), channel);
      }
      setText(row.querySelector(".waiting"), q.waiting);
      row.querySelector(".longest").dataset.seconds = secondsAttr(q.longest_wait_seconds);
      var sl = row.querySelector(".sl");
      setText(sl, percent(q.service_level));
      sl.className = "num sl sl-" + q.sl_status;
      sl.dataset.status = q.sl_status;
      setText(row.querySelector(".target"), percent(q.service_level_target));
      setText(row.querySelector(".handled"), q.handled);
      setText(row.querySelector(".abandoned"), q.abandoned);
      tbody.insertBefore(row, empty); // in the server's order, before the "no queues" row
    });
    Array.prototype.forEach.call(tbody.querySelectorAll("tr[data-queue]"), function (row) {
      if (!keep.has(row)) row.remove();
    });
    if (empty) empty.hidden = queues.length > 0;
  }

  function agentItem(agent) {
    var li = document.getElementById("agent-" + agent.user_id);
    if (li) return li;
    // an agent who joined after the page loaded: figures only (reload the page for the forms)
    li = document.createElement("li");
    li.id = "agent-" + agent.user_id;
    li.dataset.agentId = String(agent.user_id);
    li.innerHTML =
      '<div class="wb-agent"><span class="name"></span> <span class="presence"></span> ' +
      '<span class="reason"></span> <span class="in-state" data-seconds=""></span> ' +
      '<span class="in-hand"></span></div><div class="skills muted"></div>';
    return li;
  }

  function renderAgents(agents) {
    var board = document.getElementById("agents");
    if (!board) return;
    var groups = {};
    Array.prototype.forEach.call(board.querySelectorAll(".wb-group[data-state]"), function (g) {
      groups[g.dataset.state] = { section: g, items: [] };
    });
    var keep = new Set();
    agents.forEach(function (agent) {
      var li = agentItem(agent);
      keep.add(li);
      li.dataset.presence = agent.presence;
      setText(li.querySelector(".name"), agent.name);
      setText(li.querySelector(".presence"), labels[agent.presence] || agent.presence);
      setText(li.querySelector(".reason"), agent.reason_label || "");
      li.querySelector(".in-state").dataset.seconds = secondsAttr(agent.seconds_in_state);
      setText(li.querySelector(".in-hand"), agent.in_hand);
      setText(li.querySelector(".skills"), skillSummary(agent.skills));
      var group = groups[agent.presence] || groups.offline;
      if (group) group.items.push(li);
    });
    Array.prototype.forEach.call(board.querySelectorAll("li[data-agent-id]"), function (li) {
      if (!keep.has(li)) li.remove();
    });
    var focused = document.activeElement;
    Object.keys(groups).forEach(function (state) {
      var group = groups[state];
      var list = group.section.querySelector("ul");
      var current = Array.prototype.slice.call(list.children);
      var same =
        current.length === group.items.length &&
        current.every(function (li, i) {
          return li === group.items[i];
        });
      if (!same) {
        group.items.forEach(function (li) {
          list.appendChild(li); // moves it here, in name order
        });
      }
      setText(group.section.querySelector(".count"), group.items.length);
      group.section.classList.toggle("empty", group.items.length === 0);
    });
    // moving a form's list item takes the focus away from a supervisor who is using it
    if (focused && focused !== document.activeElement && document.contains(focused)) {
      focused.focus();
    }
  }

  function render(data) {
    renderQueues(data.queues || []);
    renderAgents(data.agents || []);
    measuredAt = performance.now();
    tick();
    if (typeof data.last_event_id === "number" && data.last_event_id > lastId) {
      lastId = data.last_event_id; // the figures include everything up to this event
    }
  }

  // --- status line -----------------------------------------------------------------------------

  var socketOpen = false;

  function setStatus(state) {
    if (!statusEl) return;
    statusEl.dataset.state = state;
    var text = statusEl.dataset[state === "signed-out" ? "signedOut" : state];
    if (text) setText(statusEl, text);
  }

  // --- fetching, coalesced ---------------------------------------------------------------------

  var inFlight = false;
  var again = false;

  function refresh() {
    if (inFlight) {
      again = true; // one more fetch after this one, however many events arrive meanwhile
      return;
    }
    inFlight = true;
    fetch(dataUrl, {
      credentials: "same-origin",
      cache: "no-store",
      headers: { Accept: "application/json" },
    })
      .then(function (response) {
        if (response.status === 401 || response.status === 403) {
          setStatus("signed-out");
          return null;
        }
        if (!response.ok) throw new Error("HTTP " + response.status);
        return response.json();
      })
      .then(function (data) {
        if (!data) return;
        render(data);
        setStatus(socketOpen ? "live" : "reconnecting");
        if (statusEl) statusEl.title = new Date().toLocaleTimeString();
      })
      .catch(function () {
        setStatus("stale");
      })
      .then(function () {
        inFlight = false;
        if (again) {
          again = false;
          refresh();
        }
      });
  }

  // --- the live socket -------------------------------------------------------------------------

  var attempts = 0;

  function relevant(type) {
    return (
      typeof type === "string" &&
      (type.indexOf("routing.") === 0 ||
        type === "agent.presence_changed" ||
        type === "contact.transitioned")
    );
  }

  function connect() {
    var scheme = location.protocol === "https:" ? "wss://" : "ws://";
    var socket;
    try {
      socket = new WebSocket(scheme + location.host + wsPath);
    } catch (e) {
      retry(0);
      return;
    }
    var openedAt = 0;
    socket.onopen = function () {
      openedAt = Date.now();
      socketOpen = true;
      setStatus("live");
      socket.send(JSON.stringify({ since: lastId }));
    };
    socket.onmessage = function (message) {
      var payload;
      try {
        payload = JSON.parse(message.data);
      } catch (e) {
        return;
      }
      if (!payload || payload.kind !== "event" || !payload.event) return;
      var event = payload.event;
      if (typeof event.id === "number" && event.id > lastId) lastId = event.id;
      if (relevant(event.type)) refresh();
    };
    socket.onclose = function (close) {
      socketOpen = false;
      var refused = close.code === 4401 || close.code === 4403;
      setStatus(refused ? "signed-out" : "reconnecting");
      retry(openedAt);
    };
  }

  function retry(openedAt) {
    if (openedAt && Date.now() - openedAt > STEADY_MS) attempts = 0;
    var delay = Math.min(BACKOFF_MAX_MS, BACKOFF_MIN_MS * Math.pow(2, attempts));
    attempts += 1;
    setTimeout(connect, delay * (0.8 + Math.random() * 0.4)); // jitter: not all TVs at once
  }

  // --- full screen (TV mode) -------------------------------------------------------------------

  var fullscreen = document.getElementById("wb-fullscreen");
  if (fullscreen && document.fullscreenEnabled) {
    fullscreen.hidden = false;
    fullscreen.addEventListener("click", function () {
      if (document.fullscreenElement) {
        document.exitFullscreen();
      } else {
        document.documentElement.requestFullscreen().catch(function () {});
      }
    });
    document.addEventListener("fullscreenchange", function () {
      fullscreen.textContent = document.fullscreenElement
        ? fullscreen.dataset.exit
        : fullscreen.dataset.enter;
    });
  }

  // --- start -----------------------------------------------------------------------------------

  tick();
  setInterval(tick, 1000);
  setInterval(refresh, FALLBACK_MS);
  document.addEventListener("visibilitychange", function () {
    if (document.visibilityState === "visible") refresh();
  });
  connect();
})();
