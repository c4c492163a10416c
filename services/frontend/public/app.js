// Talks to the backend through the same origin (/api/* is proxied by the frontend server), so
// the browser needs no CORS and never learns the backend's address.
const statusEl = document.getElementById('status');
const list = document.getElementById('items');
const form = document.getElementById('add');

function show(message, isError = false) {
  statusEl.textContent = message;
  statusEl.className = isError ? 'error' : '';
}

async function api(path, init) {
  const res = await fetch(`/api${path}`, init);
  const body = res.status === 204 ? null : await res.json();
  if (!res.ok) throw new Error(body?.error?.message ?? `HTTP ${res.status}`);
  return body;
}

async function refresh() {
  try {
    const { items } = await api('/items');
    list.replaceChildren(
      ...items.map((item) => {
        const li = document.createElement('li');
        const label = document.createElement('span');
        label.textContent = `${item.name} × ${item.quantity}`;
        const del = document.createElement('button');
        del.textContent = 'Delete';
        del.addEventListener('click', async () => {
          await api(`/items/${item.id}`, { method: 'DELETE' }).catch((e) => show(e.message, true));
          await refresh();
        });
        li.append(label, del);
        return li;
      }),
    );
    show(`${items.length} item(s)`);
  } catch (error) {
    show(`backend unavailable: ${error.message}`, true);
  }
}

form.addEventListener('submit', async (event) => {
  event.preventDefault();
  const data = new FormData(form);
  try {
    await api('/items', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ name: data.get('name'), quantity: Number(data.get('quantity') || 0) }),
    });
    form.reset();
  } catch (error) {
    show(error.message, true);
  }
  await refresh();
});

refresh();
