// The customer's side of a web chat: poll for new messages every second, send with a
// client message id (a retry after a lost answer never makes a second message), end the chat.
// No build step: plain browser JavaScript.
(function () {
  "use strict";

  const POLL_MS = 1000;
  const RETRY_MS = 3000;
  const ENDED = ["wrap_up", "closed", "abandoned"];

  const root = document.querySelector(".chat[data-messages-url]");
  if (!root) return;
  const texts = JSON.parse(document.getElementById("chat-texts").textContent);
  const list = document.getElementById("messages");
  const input = document.getElementById("chat-input");
  const sendButton = document.getElementById("chat-send");
  const endButton = document.getElementById("chat-end");
  const statusLine = document.getElementById("chat-status");
  const errorLine = document.getElementById("chat-error");
  const newChat = root.querySelector(".new-chat");
  const messagesUrl = root.dataset.messagesUrl;
  const endUrl = root.dataset.endUrl;
  const lang = document.documentElement.lang || undefined;

  let after = Number(root.dataset.after) || 0;
  let state = root.dataset.state;
  let agent = root.dataset.agent || null;
  let pending = null; // {body, id}: the message being sent, kept until the server has it
  const shown = new Set(
    Array.from(list.querySelectorAll(".message[data-id]"), (li) => Number(li.dataset.id))
  );

  function uuid() {
    if (window.crypto && crypto.randomUUID) return crypto.randomUUID();
    // randomUUID needs a secure context; a version-4 UUID from getRandomValues otherwise
    const b = crypto.getRandomValues(new Uint8Array(16));
    b[6] = (b[6] & 0x0f) | 0x40;
    b[8] = (b[8] & 0x3f) | 0x80;
    const h = Array.from(b, (x) => x.toString(16).padStart(2, "0")).join("");
    return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
  }

  function format(template, values) {
    return template.replace(/%\((\w+)\)s/g, (_, key) => String(values[key]));
  }

  function authorLabel(author) {
    if (author === "customer") return texts.you;
    if (author === "agent") return agent || texts.employee;
    if (author === "bot") return texts.bot;
    return texts.system;
  }

  function showError(text) {
    errorLine.textContent = text || "";
    errorLine.hidden = !text;
  }

  function addMessage(m) {
    if (shown.has(m.id)) return;
    shown.add(m.id);
    after = Math.max(after, m.id);
    const li = document.createElement("li");
    li.className = "message";
    li.dataset.author = m.author;
    li.dataset.id = String(m.id);
    const who = document.createElement("span");
    who.className = "author";
    who.textContent = authorLabel(m.author);
    const time = document.createElement("time");
    time.dateTime = m.created_at;
    time.textContent = new Date(m.created_at).toLocaleTimeString(lang, {
      hour: "2-digit",
      minute: "2-digit",
      hourCycle: "h23",
    });
    const body = document.createElement("p");
    body.className = "body";
    body.textContent = m.body; // text, never HTML
    li.append(who, time, body);
    const atBottom = list.scrollHeight - list.scrollTop - list.clientHeight < 40;
    list.append(li);
    if (atBottom || m.author === "customer") list.scrollTop = list.scrollHeight;
  }

  function showState(data) {
    state = data.state;
    agent = data.agent || agent;
    let text;
    if (ENDED.includes(state)) text = texts.ended;
    else if (state === "active") text = format(texts.chatting, { agent: agent || texts.employee });
    else if (data.position) {
      text = format(texts.position, { n: data.position });
      if (data.estimated_wait_minutes) {
        text += " (" + format(texts.estimate, { minutes: data.estimated_wait_minutes }) + ")";
      }
    }
    else text = texts.waiting;
    statusLine.textContent = text;
    const ended = ENDED.includes(state);
    input.disabled = ended;
    sendButton.disabled = ended;
    endButton.disabled = ended;
    newChat.hidden = !ended;
  }

  async function poll() {
    let next = POLL_MS;
    try {
      const response = await fetch(`${messagesUrl}?after=${after}`, {
        headers: { Accept: "application/json" },
        cache: "no-store",
      });
      if (response.status === 404) {
        showError(texts.ended);
        return; // the link is no longer valid: stop
      }
      if (!response.ok) throw new Error(String(response.status));
      const data = await response.json();
      showState(data); // first: the agent's name labels the agent's messages
      data.messages.forEach(addMessage);
      if (errorLine.textContent === texts.offline) showError("");
      if (ENDED.includes(state)) return; // nothing more will come
    } catch (error) {
      showError(texts.offline);
      next = RETRY_MS;
    }
    setTimeout(poll, next);
  }

  async function send() {
    const body = input.value.trim();
    if (!body || ENDED.includes(state)) return;
    if (!pending || pending.body !== body) pending = { body, id: uuid() };
    sendButton.disabled = true;
    try {
      const response = await fetch(messagesUrl, {
        method: "POST",
        headers: { "Content-Type": "application/json", Accept: "application/json" },
        body: JSON.stringify({ body: pending.body, client_message_id: pending.id }),
      });
      const data = await response.json();
      if (!response.ok) {
        // 422/409: the server's own words; the text stays in the box
        showError(data.detail || texts.send_failed);
        if (response.status === 409) pending = null;
        return;
      }
      pending = null;
      input.value = "";
      showError("");
      addMessage(data.message);
    } catch (error) {
      // no answer: the same id on the next try, so the server keeps one message
      showError(texts.send_failed);
    } finally {
      sendButton.disabled = ENDED.includes(state);
    }
  }

  async function end(event) {
    event.preventDefault();
    endButton.disabled = true;
    try {
      const response = await fetch(endUrl, {
        method: "POST",
        headers: { Accept: "application/json" },
      });
      const data = await response.json();
      if (!response.ok) {
        showError(data.detail);
        endButton.disabled = false;
        return;
      }
      showState(data);
    } catch (error) {
      showError(texts.offline);
      endButton.disabled = false;
    }
  }

  sendButton.addEventListener("click", send);
  input.addEventListener("keydown", (event) => {
    if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
      event.preventDefault();
      send();
    }
  });
  endButton.form.addEventListener("submit", end);
  list.scrollTop = list.scrollHeight;
  if (!ENDED.includes(state)) setTimeout(poll, 0);
})();
