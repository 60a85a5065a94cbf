import type { Router } from 'express';
import type { DashboardContext } from './context.js';
import { html } from './html.js';
import { referralContent, referralsContent } from './views/referrals.js';

/** The e-RS FHIR sync's referrals, and one referral with the HL7 V3 messages naming its UBRN. */
export function addReferralRoutes(router: Router, { deps, render, view }: DashboardContext): void {
  router.get('/dashboard/referrals', async (_request, response) => {
    if (!deps.referrals) return response.redirect(303, '/dashboard');
    return render(response, 'referrals', 'Referrals', referralsContent(await deps.referrals()));
  });

  // Open without the e-RS FHIR side too: HL7 V3 messages carry UBRNs whatever its setting.
  router.get('/dashboard/referrals/:ubrn', async (request, response) => {
    const ubrn = String(request.params.ubrn);
    if (!/^[0-9]{12}$/.test(ubrn)) {
      response.status(404);
      return render(
        response,
        'referrals',
        'Unknown referral',
        html`<div class="page-head"><h1>Unknown referral</h1></div><p class="problem">A UBRN is 12 digits.</p>`,
      );
    }
    const [held, messages] = await Promise.all([
      deps.referral ? deps.referral(ubrn).catch(() => undefined) : Promise.resolve(undefined),
      deps.store.search({ ubrn, limit: 100 }),
    ]);
    return render(
      response,
      'referrals',
      `Referral ${ubrn}`,
      referralContent(ubrn, held, messages, view, deps.referral !== undefined),
    );
  });
}
