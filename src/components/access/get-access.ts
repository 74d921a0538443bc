// The browser side of /account/get-access/: subscribes the chosen application to the chosen offer,
// creating the application first when the person names a new one, then opens the application's
// page at its keys. Problems are shown in the form's words, as the API says them.

const form = document.querySelector<HTMLFormElement>('form[data-get-access]');
if (form) setUp(form);

interface Answer {
  ok: boolean;
  status: number;
  json: Record<string, unknown>;
}

async function post(url: string, body: unknown): Promise<Answer> {
  const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body), credentials: 'same-origin' });
  let json: Record<string, unknown> = {};
  try {
    json = (await res.json()) as Record<string, unknown>;
  } catch {
    json = {};
  }
  return { ok: res.ok, status: res.status, json };
}

const detailOf = (answer: Answer) => (typeof answer.json.detail === 'string' ? answer.json.detail : `The portal answered ${answer.status}.`);

function setUp(form: HTMLFormElement): void {
  const alert = form.querySelector<HTMLElement>('[role=alert]')!;
  const submit = form.querySelector<HTMLButtonElement>('button[type=submit]')!;
  const nameLabel = form.querySelector<HTMLElement>('#new-app-name')!;
  const nameInput = form.querySelector<HTMLInputElement>('input[name=name]')!;
  const appChoices = Array.from(form.querySelectorAll<HTMLInputElement>('input[name=application]'));
  const offerChoices = Array.from(form.querySelectorAll<HTMLInputElement>('input[name=offer]'));
  /** An application this page created when a subscription then failed: a retry uses it. */
  let created: string | undefined;

  const chosenApp = () => appChoices.find((c) => c.checked);
  const chosenOffer = () => offerChoices.find((c) => c.checked);

  /** The name field is for a new application only; the button says what will happen. */
  function update(): void {
    const wantsNew = appChoices.length === 0 || chosenApp()?.value === '';
    nameLabel.hidden = !wantsNew;
    nameInput.required = wantsNew;
    submit.textContent = chosenOffer()?.dataset.approval === 'pull-request' ? 'Request access' : 'Subscribe';
  }
  form.addEventListener('change', update);
  update();

  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    alert.textContent = '';
    const offer = chosenOffer();
    if (!offer) {
      alert.textContent = 'Choose an offer.';
      return;
    }
    submit.disabled = true;
    try {
      let applicationId = chosenApp()?.value || created;
      if (!applicationId) {
        const made = await post('/api/v1/applications', { name: nameInput.value.trim() });
        if (!made.ok) {
          alert.textContent = detailOf(made);
          return;
        }
        applicationId = created = String((made.json.application as { id?: string } | undefined)?.id ?? '');
      }
      const already = (chosenApp()?.dataset.subscribed ?? '').split(' ').includes(offer.value);
      if (!already) {
        const subscribed = await post(`/api/v1/applications/${encodeURIComponent(applicationId)}/subscriptions`, { offer: offer.value, plan: offer.dataset.plan });
        if (!subscribed.ok) {
          alert.textContent = created ? `The application is created, but the subscription was refused: ${detailOf(subscribed)}` : detailOf(subscribed);
          return;
        }
      }
      window.location.assign(`/account/applications/${encodeURIComponent(applicationId)}/#create-key-h`);
    } catch {
      alert.textContent = 'The portal did not answer. Check your connection and try again.';
    } finally {
      submit.disabled = false;
    }
  });
}
