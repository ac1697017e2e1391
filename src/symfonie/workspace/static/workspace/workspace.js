/* The agent workspace (werkplek): status, offers, conversations in tabs, live over /ws/live/.
 *
 * The page renders the state at render time and embeds it (#workspace-state) with the newest
 * event id (#workspace-config). Live events after that id arrive over the WebSocket; an event
 * that concerns this agent makes the script ask the server for a fresh snapshot
 * (/werkplek/state/) instead of patching the page from the event, so a missed or replayed event
 * can never leave the page wrong. Actions go through the REST API (/api/v1) with the session
 * cookie and the CSRF token. Plain browser JavaScript, no build step.
 *
 * One file in marked sections (HTTP, presence, offer, tabs, snapshot, messages, panel,
 * replies, canned responses, actions, live events, keys, start) rather than ES modules: the
 * sections share the page's state, and a single classic script needs neither a build step nor
 * import rewriting by the static-files storage. That is why it is past the 800-line aim.
 */
(function () {
  "use strict";

  const $ = (selector, root) => (root || document).querySelector(selector);
  const $$ = (selector, root) => Array.from((root || document).querySelectorAll(selector));

  function readJson(id) {
    const element = document.getElementById(id);
    if (!element) return null;
    try {
      return JSON.parse(element.textContent);
    } catch (error) {
      return null;
    }
  }

  const config = readJson("workspace-config");
  const root = document.getElementById("workspace");
  if (!config || !root) return; // not the workspace page
  const texts = readJson("workspace-texts") || {};
  let state = readJson("workspace-state") || { presence: "offline", contacts: [], offer: null };
  const me = Number(config.user_id);
  const tabsNav = $("#tabs");
  const panes = $("#conversations");
  const offerCard = $("#offer");

  // -- time: the server's clock, so countdowns do not depend on the PC's clock ----------------

  let clockOffset = 0;
  function syncClock(snapshot) {
    const at = snapshot && snapshot.now ? Date.parse(snapshot.now) : NaN;
    if (!Number.isNaN(at)) clockOffset = at - Date.now();
  }
  const serverNow = () => Date.now() + clockOffset;
  const pad = (n) => String(n).padStart(2, "0");
  function duration(seconds) {
    const h = Math.floor(seconds / 3600);
    const m = Math.floor((seconds % 3600) / 60);
    const s = seconds % 60;
    return h ? `${h}:${pad(m)}:${pad(s)}` : `${m}:${pad(s)}`;
  }

  // -- HTTP ------------------------------------------------------------------------------------

  class RequestError extends Error {
    constructor(status, message, body) {
      super(message);
      this.status = status;
      this.body = body;
    }
  }

  function csrfToken() {
    const match = document.cookie.match(/(?:^|;\s*)csrftoken=([^;]+)/);
    if (match) return decodeURIComponent(match[1]);
    const field = $("input[name=csrfmiddlewaretoken]");
    return field ? field.value : "";
  }

  function problemText(status, data) {
    if (data && typeof data === "object") {
      const parts = [];
      if (data.detail) parts.push(String(data.detail));
      else if (data.title) parts.push(String(data.title));
      if (Array.isArray(data.errors)) {
        for (const item of data.errors) {
          if (item && item.message && item.message !== data.detail) {
            parts.push((item.field ? item.field + ": " : "") + item.message);
          }
        }
      }
      if (parts.length) return parts.join(" — ");
    }
    if (typeof data === "string" && data.trim() && data.length < 300 && !/^\s*</.test(data)) {
      return data.trim();
    }
    return `${texts.failed || "Failed"} (${status})`;
  }

  async function request(method, url, body, accept) {
    const init = {
      method,
      credentials: "same-origin",
      headers: { Accept: accept || "application/json" },
    };
    if (body !== undefined) {
      init.headers["Content-Type"] = "application/json";
      init.body = JSON.stringify(body);
    }
    if (method !== "GET") init.headers["X-CSRFToken"] = csrfToken();
    let response;
    try {
      response = await fetch(url, init);
    } catch (error) {
      throw new RequestError(0, `${texts.failed || "Failed"}: ${error.message || "network"}`);
    }
    if (response.redirected && /\/login\//.test(response.url)) {
      throw new RequestError(401, texts.signedOut || "Signed out: reload the page.");
    }
    const type = response.headers.get("Content-Type") || "";
    let data = null;
    try {
      data = type.includes("json") ? await response.json() : await response.text();
    } catch (error) {
      data = null;
    }
    if (!response.ok) throw new RequestError(response.status, problemText(response.status, data), data);
    return data;
  }

  const api = (path) => config.api + path;
  const fragment = (url) => request("GET", url, undefined, "text/html");

  function parseFragment(html) {
    const template = document.createElement("template");
    template.innerHTML = String(html || "").trim();
    return template.content;
  }

  // -- messages to the agent ---------------------------------------------------------------------

  function notice(text) {
    const element = $("#notice");
    if (!element) return;
    element.textContent = text || "";
    element.hidden = !text;
  }

  function paneMessage(pane, text, ok) {
    if (!pane) {
      notice(ok ? "" : text);
      return;
    }
    const error = $(".pane-error", pane);
    const success = $(".pane-ok", pane);
    if (error) {
      error.textContent = ok ? "" : text || "";
      error.hidden = ok || !text;
    }
    if (success) {
      success.textContent = ok ? text || "" : "";
      success.hidden = !ok || !text;
    }
  }

  /* Run an action once at a time per button; its failure is shown where it happened. */
  async function guarded(button, pane, action) {
    if (button && button.disabled) return;
    if (button) button.disabled = true;
    try {
      await action();
    } catch (error) {
      if (pane !== undefined) paneMessage(pane, error.message, false);
      else notice(error.message);
    } finally {
      if (button) button.disabled = false;
    }
  }

  // -- presence --------------------------------------------------------------------------------

  const presenceLabel = (value) => (texts.presence && texts.presence[value]) || value || "";

  function reasonName(code) {
    const field = $("#break-reason");
    if (field && field.tagName === "SELECT") {
      const option = Array.from(field.options).find((o) => o.value === code);
      if (option) return option.textContent;
    }
    return code;
  }

  function renderPresence() {
    const current = $("#presence-current");
    if (current) {
      current.dataset.presence = state.presence || "offline";
      current.textContent = presenceLabel(state.presence);
    }
    const reason = $("#presence-reason");
    if (reason) reason.textContent = state.presence === "break" && state.reason ? `(${reasonName(state.reason)})` : "";
    for (const button of $$("#presence-form button[data-presence]")) {
      button.setAttribute("aria-pressed", String(button.dataset.presence === state.presence));
    }
    tickPresence();
  }

  function tickPresence() {
    const since = $("#presence-since");
    if (!since) return;
    const start = state.since ? Date.parse(state.since) : NaN;
    if (Number.isNaN(start)) {
      since.textContent = "";
      since.removeAttribute("datetime");
      return;
    }
    since.setAttribute("datetime", state.since);
    since.textContent = duration(Math.max(0, Math.floor((serverNow() - start) / 1000)));
  }

  async function setPresence(presence) {
    let reason = "";
    if (presence === "break") {
      const field = $("#break-reason");
      reason = field ? field.value.trim() : "";
      if (!reason) {
        notice(texts.needReason || "A break needs a reason.");
        if (field) field.focus();
        return;
      }
    }
    const button = $(`#presence-form button[data-presence="${presence}"]`);
    await guarded(button, undefined, async () => {
      await request("POST", api("/routing/presence"), { presence, reason });
      notice("");
      await refreshState();
    });
  }

  // -- the offer -------------------------------------------------------------------------------

  let offer = null;

  function setOfferButtons(enabled) {
    for (const button of $$("[data-action=accept], [data-action=decline]", offerCard)) {
      button.disabled = !enabled;
    }
    const dismiss = $("[data-action=dismiss-offer]", offerCard);
    if (dismiss) dismiss.hidden = enabled;
  }

  function field(name) {
    return $(`[data-field="${name}"]`, offerCard);
  }

  function showOffer(next) {
    if (!offerCard) return;
    const sameOffer = offer && next && offer.offer_id === next.offer_id;
    offer = Object.assign({}, sameOffer ? offer : {}, next);
    offerCard.hidden = false;
    delete offerCard.dataset.ended;
    offerCard.dataset.offerId = offer.offer_id || "";
    offerCard.dataset.contactId = offer.contact_id || "";
    const channel = field("channel");
    if (channel) {
      channel.className = `chan chan-${offer.channel || ""}`;
      channel.textContent = offer.channel_label || offer.channel || "";
    }
    if (field("queue")) field("queue").textContent = offer.queue_name || offer.queue || "";
    if (field("customer")) field("customer").textContent = offer.customer_name || `#${offer.contact_id}`;
    if (!sameOffer) {
      const error = $("#offer-error");
      if (error) error.hidden = true;
    }
    setOfferButtons(true);
    tickOffer();
  }

  /* The offer is over: hide the card, unless it shows why accepting failed. */
  function endOffer() {
    offer = null;
    if (!offerCard) return;
    const error = $("#offer-error");
    if (error && !error.hidden) {
      offerCard.dataset.ended = "";
      setOfferButtons(false);
    } else {
      offerCard.hidden = true;
    }
  }

  function offerError(text) {
    const error = $("#offer-error");
    if (!error) return;
    error.textContent = text;
    error.hidden = false;
  }

  function tickOffer() {
    const countdown = $("#offer-countdown");
    if (!offer || !countdown) return;
    const expires = Date.parse(offer.expires_at);
    const left = Number.isNaN(expires) ? 0 : Math.max(0, Math.ceil((expires - serverNow()) / 1000));
    countdown.textContent = String(left);
    countdown.dataset.expiresAt = offer.expires_at || "";
  }

  async function acceptOffer() {
    if (!offer) return;
    const chosen = offer;
    await guarded($("[data-action=accept]", offerCard), undefined, async () => {
      try {
        const result = await request("POST", api("/routing/offers/accept"), { offer_id: chosen.offer_id });
        const error = $("#offer-error");
        if (error) error.hidden = true;
        if (offer && offer.offer_id === chosen.offer_id) endOffer();
        await refreshState();
        if (result && result.contact_id) selectTab(result.contact_id, true);
      } catch (error) {
        offerError(error.message);
        refreshState();
      }
    });
  }

  async function declineOffer() {
    if (!offer) return;
    const chosen = offer;
    await guarded($("[data-action=decline]", offerCard), undefined, async () => {
      try {
        await request("POST", api("/routing/offers/decline"), { offer_id: chosen.offer_id, reason: "" });
        if (offer && offer.offer_id === chosen.offer_id) endOffer();
      } catch (error) {
        offerError(error.message);
      }
      refreshState();
    });
  }

  // -- tabs ------------------------------------------------------------------------------------

  const tabFor = (id) => tabsNav && tabsNav.querySelector(`.tab[data-contact-id="${Number(id)}"]`);
  const paneFor = (id) => panes && panes.querySelector(`.conversation[data-contact-id="${Number(id)}"]`);
  const allTabs = () => (tabsNav ? $$(".tab", tabsNav) : []);

  function currentPane() {
    const tab = tabsNav && tabsNav.querySelector('.tab[aria-selected="true"]');
    return tab ? paneFor(tab.dataset.contactId) : null;
  }

  function scrollMessages(pane) {
    const list = $(".messages", pane);
    if (list) list.scrollTop = list.scrollHeight;
  }

  function selectTab(id, focusReply) {
    const key = String(Number(id));
    if (!tabFor(key)) return;
    for (const tab of allTabs()) {
      const on = tab.dataset.contactId === key;
      tab.setAttribute("aria-selected", String(on));
      tab.tabIndex = on ? 0 : -1;
    }
    for (const pane of $$(".conversation", panes)) pane.hidden = pane.dataset.contactId !== key;
    const pane = paneFor(key);
    if (!pane) return;
    loadPanel(pane, false);
    scrollMessages(pane);
    if (focusReply) {
      const box = $("textarea[name=reply]", pane);
      if (box) box.focus();
    }
  }

  function renumber() {
    allTabs().forEach((tab, index) => {
      const key = $(".tab-key", tab);
      if (key) key.textContent = index < 9 ? String(index + 1) : "";
    });
    const empty = $("#no-conversations");
    if (empty) empty.hidden = allTabs().length > 0;
  }

  function fillTab(tab, summary) {
    tab.textContent = "";
    const key = document.createElement("span");
    key.className = "tab-key";
    tab.append(key, ` ${summary.customer_name || "#" + summary.id} `);
    const channel = document.createElement("span");
    channel.className = `chan chan-${summary.channel}`;
    channel.textContent = summary.channel_label || summary.channel;
    tab.append(channel);
    if (summary.state === "wrap_up") {
      const badge = document.createElement("span");
      badge.className = "badge";
      badge.textContent = texts.wrapUp || "wrap-up";
      tab.append(" ", badge);
    }
    tab.dataset.state = summary.state;
  }

  function buildTab(summary) {
    const tab = document.createElement("button");
    tab.type = "button";
    tab.className = "tab";
    tab.id = `tab-${summary.id}`;
    tab.setAttribute("role", "tab");
    tab.setAttribute("aria-controls", `conversation-${summary.id}`);
    tab.setAttribute("aria-selected", "false");
    tab.tabIndex = -1;
    tab.dataset.contactId = String(summary.id);
    fillTab(tab, summary);
    return tab;
  }

  function updatePane(pane, summary) {
    const changed = pane.dataset.state !== summary.state;
    pane.dataset.state = summary.state;
    const badge = $("[data-field=state]", pane);
    if (badge && changed) badge.textContent = summary.state === "wrap_up" ? texts.wrapUp || summary.state : summary.state;
    const wrapUp = $("form.wrap-up", pane);
    if (wrapUp) wrapUp.hidden = summary.state !== "wrap_up";
  }

  function updateTab(summary) {
    const tab = tabFor(summary.id);
    const pane = paneFor(summary.id);
    if (tab && (tab.dataset.state !== summary.state || !$(".tab-key", tab))) fillTab(tab, summary);
    if (pane) updatePane(pane, summary);
  }

  const adding = new Map();
  function addTab(summary) {
    const key = String(summary.id);
    if (tabFor(key)) return Promise.resolve();
    if (adding.has(key)) return adding.get(key);
    const job = (async () => {
      const html = await fragment(config.conversation_url.replace("/0/", `/${key}/`));
      if (tabFor(key)) return;
      const pane = parseFragment(html).querySelector(".conversation");
      if (!pane) return;
      pane.hidden = true;
      panes.appendChild(pane);
      tabsNav.appendChild(buildTab(summary));
      updatePane(pane, summary);
      renumber();
      if (!currentPane()) selectTab(key, false);
    })().finally(() => adding.delete(key));
    adding.set(key, job);
    return job;
  }

  function removeTab(id) {
    const tab = tabFor(id);
    const pane = paneFor(id);
    const wasSelected = tab && tab.getAttribute("aria-selected") === "true";
    if (tab) tab.remove();
    if (pane) pane.remove();
    renumber();
    const first = allTabs()[0];
    if (wasSelected && first) selectTab(first.dataset.contactId, false);
  }

  async function reconcile(contacts) {
    const wanted = new Map(contacts.map((c) => [String(c.id), c]));
    for (const tab of allTabs()) {
      if (!wanted.has(tab.dataset.contactId)) removeTab(tab.dataset.contactId);
    }
    for (const summary of contacts) {
      if (tabFor(summary.id)) {
        updateTab(summary);
      } else {
        try {
          await addTab(summary);
        } catch (error) {
          notice(error.message);
        }
      }
    }
    renumber();
    const first = allTabs()[0];
    if (!currentPane() && first) selectTab(first.dataset.contactId, false);
  }

  // -- the snapshot ----------------------------------------------------------------------------

  let refreshing = null;
  let refreshAgain = false;

  async function applyState(snapshot) {
    state = snapshot;
    syncClock(snapshot);
    renderPresence();
    if (snapshot.offer) showOffer(snapshot.offer);
    else if (offer) endOffer();
    await reconcile(Array.isArray(snapshot.contacts) ? snapshot.contacts : []);
  }

  /* Ask for the current snapshot; calls while one is under way ask once more afterwards. */
  function refreshState() {
    if (refreshing) {
      refreshAgain = true;
      return refreshing;
    }
    refreshing = (async () => {
      do {
        refreshAgain = false;
        try {
          await applyState(await request("GET", config.state_url));
        } catch (error) {
          notice(error.message);
        }
      } while (refreshAgain);
    })().finally(() => {
      refreshing = null;
    });
    return refreshing;
  }

  // -- messages of a tab -----------------------------------------------------------------------

  function lastMessageId(pane) {
    let last = 0;
    for (const item of $$(".messages .message", pane)) last = Math.max(last, Number(item.dataset.messageId) || 0);
    return last;
  }

  /* Add (or replace, for a delivery update) list items by message id: never a copy. */
  function upsertMessages(pane, html) {
    const list = $(".messages", pane);
    if (!list) return;
    const nearBottom = list.scrollHeight - list.scrollTop - list.clientHeight < 60;
    for (const item of Array.from(parseFragment(html).querySelectorAll(".message"))) {
      const existing = list.querySelector(`.message[data-message-id="${Number(item.dataset.messageId)}"]`);
      if (existing) existing.replaceWith(item);
      else list.appendChild(item);
    }
    const empty = $(".no-messages", pane);
    if (empty) empty.hidden = $$(".message", list).length > 0;
    if (nearBottom) scrollMessages(pane);
  }

  const loadingMessages = new WeakMap();
  async function loadMessages(pane, after) {
    if (!pane || !pane.dataset.messagesUrl) return;
    if (loadingMessages.get(pane)) {
      loadingMessages.set(pane, "again");
      return;
    }
    loadingMessages.set(pane, "busy");
    try {
      do {
        const from = after === undefined ? lastMessageId(pane) : after;
        after = undefined;
        loadingMessages.set(pane, "busy");
        upsertMessages(pane, await fragment(`${pane.dataset.messagesUrl}?after=${from}`));
      } while (loadingMessages.get(pane) === "again");
    } catch (error) {
      paneMessage(pane, error.message, false);
    } finally {
      loadingMessages.delete(pane);
    }
  }

  // -- the customer panel ------------------------------------------------------------------------

  async function loadPanel(pane, force) {
    const panel = $(".panel", pane);
    if (!panel || !panel.dataset.panelUrl) return;
    if (panel.dataset.loaded && !force) return;
    panel.dataset.loaded = "1";
    try {
      const html = await fragment(panel.dataset.panelUrl);
      panel.textContent = "";
      panel.appendChild(parseFragment(html));
    } catch (error) {
      delete panel.dataset.loaded;
      panel.textContent = error.message;
    }
  }

  function reloadPanelsOf(customerId) {
    if (!customerId) return;
    for (const pane of $$(".conversation", panes)) {
      if (pane.dataset.customerId !== String(customerId)) continue;
      const panel = $(".panel", pane);
      if (pane.hidden) {
        if (panel) delete panel.dataset.loaded; // loaded again when its tab is shown
      } else {
        loadPanel(pane, true);
      }
    }
  }

  // -- replying --------------------------------------------------------------------------------

  function newKey() {
    if (window.crypto && typeof window.crypto.randomUUID === "function") return window.crypto.randomUUID().replace(/-/g, "");
    return `${Date.now().toString(36)}${Math.random().toString(36).slice(2)}`;
  }

  function showTemplates(pane, templates) {
    const box = $(".templates", pane);
    const select = $("select[name=template]", pane);
    if (!box || !select) return;
    select.textContent = "";
    const none = document.createElement("option");
    none.value = "";
    none.textContent = "—";
    select.appendChild(none);
    (templates || []).forEach((template, index) => {
      const option = document.createElement("option");
      option.value = String(index);
      const language = template.language ? ` (${template.language})` : "";
      option.textContent = `${template.name}${language}${template.body ? ": " + template.body : ""}`;
      option.dataset.name = template.name;
      option.dataset.language = template.language;
      option.dataset.parameters = String(template.parameters || 0);
      select.appendChild(option);
    });
    box.hidden = false;
    renderParameters(pane);
  }

  function renderParameters(pane) {
    const select = $("select[name=template]", pane);
    const holder = $(".template-parameters", pane);
    if (!select || !holder) return;
    holder.textContent = "";
    const option = select.selectedOptions[0];
    const count = option ? Number(option.dataset.parameters) || 0 : 0;
    for (let i = 1; i <= count; i += 1) {
      const input = document.createElement("input");
      input.name = "parameter";
      input.maxLength = 1024;
      input.placeholder = `{{${i}}}`;
      input.setAttribute("aria-label", `{{${i}}}`);
      holder.appendChild(input);
    }
  }

  async function send(pane) {
    const form = $("form.reply", pane);
    const box = $("textarea[name=reply]", pane);
    if (!form || !box) return;
    const id = pane.dataset.contactId;
    await guarded($("[data-action=send]", pane), pane, async () => {
      const text = box.value;
      let sentText = true; // false when a template went instead: the draft stays
      const templates = $(".templates", pane);
      const chosen = $("select[name=template]", pane);
      if (pane.dataset.replyRoute === "replies") {
        let body;
        if (templates && !templates.hidden && chosen && chosen.value !== "") {
          const option = chosen.selectedOptions[0];
          body = {
            template: option.dataset.name,
            language: option.dataset.language,
            parameters: $$("input[name=parameter]", pane).map((input) => input.value),
          };
          sentText = false;
          if (option.dataset.language === "") {
            // a Messenger/Instagram message tag: it carries the drafted text
            if (!text.trim()) throw new Error(texts.emptyReply || "Write a reply first.");
            body.text = text;
            sentText = true;
          }
        } else {
          if (!text.trim()) throw new Error(texts.emptyReply || "Write a reply first.");
          const options = await request("GET", api(`/contacts/${id}/reply-options`));
          if (!options.window_open) {
            showTemplates(pane, options.templates);
            throw new Error(texts.windowClosed || "The 24-hour window is closed.");
          }
          body = { text };
        }
        // the same reply sent again after a failed attempt keeps its key: sent once at most
        const fingerprint = JSON.stringify(body);
        if (form.dataset.keyFor !== fingerprint) {
          form.dataset.key = newKey();
          form.dataset.keyFor = fingerprint;
        }
        body.idempotency_key = form.dataset.key;
        await request("POST", api(`/contacts/${id}/replies`), body);
        delete form.dataset.key;
        delete form.dataset.keyFor;
        if (templates) templates.hidden = true;
        if (chosen) chosen.value = "";
      } else {
        if (!text.trim()) throw new Error(texts.emptyReply || "Write a reply first.");
        await request("POST", api(`/contacts/${id}/messages`), { author: "agent", body: text });
      }
      if (sentText) box.value = "";
      paneMessage(pane, "", true);
      await loadMessages(pane);
      scrollMessages(pane);
    });
  }

  // -- canned responses ------------------------------------------------------------------------

  async function insertCanned(pane, pk, range) {
    const box = $("textarea[name=reply]", pane);
    if (!box || !pk || !pane.dataset.cannedUrl) return;
    const data = await request("GET", pane.dataset.cannedUrl.replace(/\/0\/$/, `/${Number(pk)}/`));
    const text = data && typeof data.text === "string" ? data.text : "";
    const start = range ? range[0] : box.selectionStart;
    const end = range ? range[1] : box.selectionEnd;
    box.focus();
    box.setRangeText(text, start, end, "end");
    box.dispatchEvent(new Event("input", { bubbles: true }));
  }

  const SHORTCUT_BEFORE_CURSOR = /(^|\s)(\/[\p{L}\p{N}_-]+)$/u;

  /* Tab right after a shortcut such as "/groet" replaces it by the canned response. */
  function expandShortcut(event, box) {
    if (box.selectionStart !== box.selectionEnd) return;
    const before = box.value.slice(0, box.selectionStart);
    const match = SHORTCUT_BEFORE_CURSOR.exec(before);
    if (!match) return;
    const found = (config.canned || []).find((c) => c.shortcut && c.shortcut === match[2]);
    if (!found) return;
    event.preventDefault();
    const pane = box.closest(".conversation");
    const start = box.selectionStart - match[2].length;
    insertCanned(pane, found.id, [start, box.selectionStart]).catch((error) => paneMessage(pane, error.message, false));
  }

  // -- conversation actions --------------------------------------------------------------------

  const contactApi = (pane, path) => api(`/routing/contacts/${Number(pane.dataset.contactId)}${path}`);

  async function endConversation(pane, button) {
    await guarded(button, pane, async () => {
      await request("POST", contactApi(pane, "/end"), {});
      paneMessage(pane, "", true);
      await refreshState();
      showWrapUp(pane);
    });
  }

  function transferNote(pane) {
    const note = $("form.transfer textarea[name=note]", pane);
    return note ? note.value : "";
  }

  async function escalate(pane, button) {
    await guarded(button, pane, async () => {
      await request("POST", contactApi(pane, "/escalate"), { note: transferNote(pane) });
      notice("");
      await refreshState();
    });
  }

  async function transfer(pane, form) {
    await guarded($("[data-action=transfer]", form), pane, async () => {
      const target = form.elements.target ? form.elements.target.value : "";
      const [kind, value] = target.split(":");
      let body;
      if (kind === "queue" && value) body = { queue: value };
      else if (kind === "agent" && Number(value) > 0) body = { agent_id: Number(value) };
      else throw new Error(texts.noTarget || "Pick a queue or an agent.");
      body.note = transferNote(pane);
      await request("POST", contactApi(pane, "/transfer"), body);
      await refreshState();
    });
  }

  async function addNote(pane, form) {
    await guarded($("[data-action=add-note]", form), pane, async () => {
      const customer = pane.dataset.customerId;
      if (!customer) throw new Error(texts.noCustomer || "This contact has no known customer.");
      const body = { body: form.elements.note.value };
      if (pane.dataset.caseId) body.case_id = Number(pane.dataset.caseId);
      await request("POST", api(`/customers/${Number(customer)}/notes`), body);
      form.elements.note.value = "";
      paneMessage(pane, texts.saved || "Saved.", true);
      loadPanel(pane, true);
    });
  }

  async function createTask(pane, form) {
    await guarded($("[data-action=create-task]", form), pane, async () => {
      const title = form.elements.title.value.trim();
      const team = form.elements.team.value.trim();
      const select = form.elements.case;
      let caseId = select ? Number(select.value) || 0 : 0;
      if (!caseId) {
        const customer = pane.dataset.customerId;
        if (!customer) throw new Error(texts.noCustomer || "This contact has no known customer.");
        // checked here too: a case opened for a task that is then refused would stay behind
        if (!team) throw new Error(texts.needTeam || "Name the back-office team.");
        if (!title) throw new Error(texts.needTitle || "A task needs a title.");
        const opened = await request("POST", api("/cases"), { customer_id: Number(customer), subject: title });
        caseId = opened.id;
        if (select) {
          // the new case is offered (and chosen) for the next task of this conversation
          const option = document.createElement("option");
          option.value = String(caseId);
          option.textContent = `${opened.reference} ${opened.subject}`;
          select.insertBefore(option, select.firstChild);
          select.value = String(caseId);
        }
      }
      await request("POST", api("/tasks"), {
        case_id: caseId,
        team,
        title,
        description: form.elements.description ? form.elements.description.value : "",
      });
      form.elements.title.value = "";
      if (form.elements.description) form.elements.description.value = "";
      paneMessage(pane, texts.taskCreated || "Task created.", true);
      loadPanel(pane, true);
    });
  }

  function showWrapUp(pane) {
    pane = pane || currentPane();
    if (!pane) {
      notice(texts.noConversation || "No conversation open.");
      return;
    }
    const form = $("form.wrap-up", pane);
    if (!form || pane.dataset.state !== "wrap_up") {
      paneMessage(pane, texts.notWrapUp || "Wrap-up starts when the conversation has ended.", false);
      return;
    }
    form.hidden = false;
    form.scrollIntoView({ block: "nearest" });
    const topics = $("select[name=topics]", form);
    if (topics) topics.focus();
  }

  async function finishWrapUp(pane, form) {
    await guarded($("[data-action=finish-wrap-up]", form), pane, async () => {
      const topics = Array.from(form.elements.topics ? form.elements.topics.selectedOptions : []).map((o) => o.value);
      await request("POST", contactApi(pane, "/wrap-up"), {
        topics,
        outcome: form.elements.outcome ? form.elements.outcome.value : "resolved",
        note: form.elements.note ? form.elements.note.value : "",
      });
      paneMessage(pane, "", true);
      await refreshState();
    });
  }

  // -- live events -----------------------------------------------------------------------------

  const storageKey = `symfonie.workspace.lastEventId.${config.tenant_id}`;
  let lastId = Number(config.last_event_id) || 0; // the page shows the state at this event
  let resumeFrom = lastId;
  let seen = new Set();
  let socket = null;
  let attempts = 0;
  let connectedBefore = false;
  let stopped = false;

  function remember(id) {
    lastId = id;
    try {
      window.sessionStorage.setItem(storageKey, String(id));
    } catch (error) {
      /* private mode or full storage: the id lives in memory only */
    }
  }
  remember(lastId);

  function liveStatus(up, text) {
    const element = $("#live-status");
    if (!element) return;
    element.dataset.live = up ? "up" : "down";
    element.textContent = text || (up ? texts.liveOk : texts.liveDown) || "";
  }

  /* Events with an id at or below the position sent as "since" were seen before. The server
   * may send a live event before it has replayed the older ones (it joins the live group at
   * connect), so ids above that position are remembered individually rather than compared with
   * the highest id so far: an older replayed event arriving late is still applied once. */
  function handleEvent(event) {
    const id = Number(event && event.id);
    if (!Number.isFinite(id) || id <= resumeFrom || seen.has(id)) return; // replayed: done
    seen.add(id);
    if (id > lastId) remember(id);
    const data = event.data || {};
    switch (event.type) {
      case "routing.offered":
        if (Number(data.agent_id) === me) {
          if (Date.parse(data.expires_at) > serverNow()) {
            showOffer({ offer_id: data.offer_id, contact_id: data.contact_id, expires_at: data.expires_at });
          }
          refreshState();
        }
        break;
      case "routing.offer_ended":
        if (Number(data.agent_id) === me) {
          if (offer && offer.offer_id === data.offer_id) endOffer();
          refreshState();
        }
        break;
      case "agent.presence_changed":
        if (Number(data.agent_id) === me) {
          state.presence = data.presence;
          state.reason = data.reason || "";
          state.since = event.occurred_at;
          renderPresence();
        }
        break;
      case "contact.transitioned":
        if (Number(data.agent_id) === me || tabFor(data.contact_id)) refreshState();
        break;
      case "message.added":
        if (paneFor(data.contact_id)) loadMessages(paneFor(data.contact_id));
        break;
      case "message.delivery_updated":
        if (paneFor(data.contact_id)) loadMessages(paneFor(data.contact_id), Math.max(0, Number(data.message_id) - 1));
        break;
      case "note.added":
      case "case.opened":
      case "case.updated":
      case "task.created":
      case "task.completed":
        reloadPanelsOf(event.customer_id);
        break;
      default:
        break;
    }
  }

  function connect() {
    if (stopped || typeof window.WebSocket !== "function") return;
    const url = `${window.location.protocol === "https:" ? "wss" : "ws"}://${window.location.host}${config.live}`;
    let ws;
    try {
      ws = new WebSocket(url);
    } catch (error) {
      reconnectLater();
      return;
    }
    socket = ws;
    ws.addEventListener("open", () => {
      attempts = 0;
      resumeFrom = lastId;
      seen = new Set();
      ws.send(JSON.stringify({ since: lastId }));
      liveStatus(true);
      if (connectedBefore) {
        // events while away are replayed; the snapshot and the message lists are read again
        // too, so even a gap in the log cannot leave the page behind
        refreshState();
        for (const pane of $$(".conversation", panes)) loadMessages(pane);
      }
      connectedBefore = true;
    });
    ws.addEventListener("message", (message) => {
      let payload;
      try {
        payload = JSON.parse(message.data);
      } catch (error) {
        return;
      }
      if (payload && payload.kind === "event" && payload.event) handleEvent(payload.event);
    });
    ws.addEventListener("close", (closing) => {
      if (socket !== ws) return;
      socket = null;
      if (closing.code === 4401 || closing.code === 4403) {
        stopped = true; // signed out or no tenant: retrying cannot help
        liveStatus(false, texts.signedOut || "Signed out: reload the page.");
        return;
      }
      liveStatus(false);
      reconnectLater();
    });
  }

  function reconnectLater() {
    // exponential backoff with jitter: 1, 2, 4, 8, 16, 30 s
    const delay = Math.min(30000, 1000 * 2 ** attempts) * (0.8 + Math.random() * 0.4);
    attempts = Math.min(attempts + 1, 5);
    window.setTimeout(connect, delay);
  }

  // -- keys ------------------------------------------------------------------------------------

  // event.code names the key's place, not its character: Alt+A works on AZERTY or Dvorak
  // layouts too, and on macOS, where Option+A types "å" and event.key is no help.
  document.addEventListener("keydown", (event) => {
    if (event.isComposing) return;
    if (event.altKey && !event.ctrlKey && !event.metaKey) {
      const digit = /^(?:Digit|Numpad)([1-9])$/.exec(event.code);
      if (digit) {
        const tab = allTabs()[Number(digit[1]) - 1];
        event.preventDefault();
        if (tab) {
          selectTab(tab.dataset.contactId, true);
        }
        return;
      }
      switch (event.code) {
        case "KeyA":
          if (offer) {
            event.preventDefault();
            acceptOffer();
          }
          break;
        case "KeyD":
          if (offer) {
            event.preventDefault();
            declineOffer();
          }
          break;
        case "KeyW":
          event.preventDefault();
          showWrapUp();
          break;
        case "KeyB":
          event.preventDefault();
          setPresence("break");
          break;
        case "KeyR":
          event.preventDefault();
          setPresence("available");
          break;
        default:
          break;
      }
      return;
    }
    const target = event.target;
    if (!(target instanceof HTMLTextAreaElement) || target.name !== "reply") return;
    if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) {
      event.preventDefault();
      const pane = target.closest(".conversation");
      if (pane) send(pane);
    } else if (event.key === "Tab" && !event.shiftKey && !event.ctrlKey && !event.metaKey) {
      expandShortcut(event, target);
    }
  });

  // -- clicks and forms ------------------------------------------------------------------------

  root.addEventListener("click", (event) => {
    const target = event.target instanceof Element ? event.target : null;
    if (!target) return;
    const presence = target.closest("#presence-form button[data-presence]");
    if (presence) {
      event.preventDefault();
      setPresence(presence.dataset.presence);
      return;
    }
    const tab = target.closest(".tab[data-contact-id]");
    if (tab) {
      selectTab(tab.dataset.contactId, false);
      return;
    }
    const button = target.closest("[data-action]");
    if (!button) return;
    const pane = button.closest(".conversation");
    switch (button.dataset.action) {
      case "accept":
        acceptOffer();
        break;
      case "decline":
        declineOffer();
        break;
      case "dismiss-offer":
        if (offerCard) offerCard.hidden = true;
        break;
      case "insert-canned": {
        const select = pane && $("select[name=canned]", pane);
        if (select && select.value) {
          guarded(button, pane, () => insertCanned(pane, select.value));
        }
        break;
      }
      case "end":
        if (pane) endConversation(pane, button);
        break;
      case "escalate":
        if (pane) escalate(pane, button);
        break;
      default:
        break; // submit buttons: handled by the form's submit event
    }
  });

  root.addEventListener("change", (event) => {
    const target = event.target;
    if (target instanceof HTMLSelectElement && target.name === "template") {
      const pane = target.closest(".conversation");
      if (pane) renderParameters(pane);
    }
  });

  root.addEventListener("submit", (event) => {
    const form = event.target;
    if (!(form instanceof HTMLFormElement)) return;
    if (form.id === "presence-form") {
      event.preventDefault(); // the buttons' clicks do it; Enter in the reason field too
      return;
    }
    const pane = form.closest(".conversation");
    if (!pane) return;
    event.preventDefault();
    if (form.classList.contains("reply")) send(pane);
    else if (form.classList.contains("transfer")) transfer(pane, form);
    else if (form.classList.contains("note")) addNote(pane, form);
    else if (form.classList.contains("task")) createTask(pane, form);
    else if (form.classList.contains("wrap-up")) finishWrapUp(pane, form);
  });

  const reasonField = $("#break-reason");
  if (reasonField) {
    reasonField.addEventListener("keydown", (event) => {
      if (event.key === "Enter") {
        event.preventDefault(); // not the form's first button ("available")
        setPresence("break");
      }
    });
  }

  // -- start -----------------------------------------------------------------------------------

  syncClock(state);
  renderPresence();
  if (state.offer) showOffer(state.offer);
  else if (offerCard) offerCard.hidden = true;
  renumber();
  const selected = currentPane() || (allTabs()[0] && paneFor(allTabs()[0].dataset.contactId));
  if (selected) selectTab(selected.dataset.contactId, false);
  window.setInterval(() => {
    tickPresence();
    tickOffer();
  }, 1000);
  connect();
})();
