// The React app's whole page: @tierkit/react wrappers, connected inside a provider and controlled
// with data the app fetched itself. The embed test drives it through the buttons and reads #loads.
import { useEffect, useState } from 'react';
import { TkEntitlementPanel, TkProvider, TkTierBadge, TkTierTimeline } from '@tierkit/react';
import { createClient, type LocaleTag, type TierBadgeData } from '@tierkit/components';
// The raw tags typed for JSX (React 19 sets their properties and listens to their events itself).
import type {} from '@tierkit/components/jsx';

const params = new URLSearchParams(location.search);
const baseUrl = params.get('api') ?? '';
const token = params.get('token') ?? '';
const subject = params.get('subject') ?? '';

export default function App() {
  const [locale, setLocale] = useState<LocaleTag>('zh-CN');
  const [theme, setTheme] = useState<'light' | 'dark'>('light');
  const [loads, setLoads] = useState<readonly string[]>([]);
  const [controlled, setControlled] = useState<TierBadgeData | undefined>();

  useEffect(() => {
    // Controlled mode: the bank's page fetched the data itself and hands it to the badge.
    const client = createClient({ baseUrl, token });
    void client.getTiers(subject).then((tiers) => {
      const assignment = tiers.assignments.find((a) => a.scheme === 'retail-tier');
      if (assignment) setControlled({ assignment, metrics: tiers.metrics });
    });
  }, []);

  return (
    <main>
      <button type="button" id="en" onClick={() => setLocale('en')}>
        English
      </button>
      <button type="button" id="dark" onClick={() => setTheme('dark')}>
        Dark
      </button>
      <output id="loads">{loads.join(',')}</output>
      <TkProvider id="provider" baseUrl={baseUrl} token={token} subject={subject} locale={locale} theme={theme}>
        <TkTierBadge id="connected" scheme="retail-tier" onTkLoad={(e) => setLoads((l) => [...l, e.resource])} />
        <TkEntitlementPanel id="panel" />
        <TkTierTimeline id="timeline" />
        <tk-tier-timeline id="raw-timeline" pageSize="6" />
        <tk-tier-badge
          id="raw"
          scheme="retail-tier"
          size="s"
          ontk-load={(e) => setLoads((l) => [...l, `raw-${e.resource}`])}
          // @ts-expect-error the tag typings know show-progress is a boolean
          showProgress="yes"
        />
      </TkProvider>
      <TkTierBadge id="controlled" data={controlled} lang={locale} />
    </main>
  );
}
