// Talking to the Rasa REST channel (POST {rasaUrl}/webhooks/rest/webhook).
//
// The body is JSON but is sent as text/plain: that keeps it a CORS "simple" request, so
// there is no OPTIONS preflight round trip before each message (and nothing depends on how
// the server answers preflights). The channel reads the body as JSON whatever the content
// type, checks the Origin against ALLOWED_ORIGINS and answers CORS for the allowed ones.

export const MAX_MESSAGE_CHARS = 2000;
const TIMEOUT_MS = 45000;

export class NetworkError extends Error {}

export class ServerRefusal extends Error {
  constructor(message, status) {
    super(message);
    this.status = status;
  }
}

export function webhookUrl(rasaUrl) {
  return rasaUrl.replace(/\/+$/, '') + '/webhooks/rest/webhook';
}

/**
 * Send one message; resolves to the bot's list of messages.
 * A 503 still carries a list to show (the conversation store is down).
 * Rejects with NetworkError (not reached, timed out) or ServerRefusal (4xx/5xx with a reason).
 */
export async function sendMessage({ rasaUrl, sender, message, nation }) {
  const body = { sender, message };
  if (nation) body.metadata = { default_nation: nation };
  const controller = typeof AbortController === 'function' ? new AbortController() : null;
  const timer = controller ? setTimeout(() => controller.abort(), TIMEOUT_MS) : null;
  let response;
  try {
    response = await fetch(webhookUrl(rasaUrl), {
      method: 'POST',
      mode: 'cors',
      credentials: 'omit',
      cache: 'no-store',
      headers: { 'Content-Type': 'text/plain;charset=UTF-8' },
      body: JSON.stringify(body),
      signal: controller ? controller.signal : undefined,
    });
  } catch (e) {
    throw new NetworkError(String(e && e.message));
  } finally {
    if (timer) clearTimeout(timer);
  }
  let data = null;
  try {
    data = await response.json();
  } catch (e) {
    data = null;
  }
  if (Array.isArray(data) && (response.ok || response.status === 503)) return data;
  if (response.ok) return [];
  const reason = data && typeof data.error === 'string' ? data.error : null;
  throw new ServerRefusal(reason || 'The assistant could not take that message.', response.status);
}
