// Progressive enhancement only: every page is complete without this file.
'use strict';

// A live clock beside the edition date, in the newsroom's time zone.
function startClock(element) {
  const format = new Intl.DateTimeFormat('en-US', {
    hour: 'numeric', minute: '2-digit', timeZone: element.dataset.timeZone, timeZoneName: 'short',
  });
  const tick = () => { element.textContent = format.format(new Date()); };
  tick();
  element.hidden = false;
  setInterval(tick, 30 * 1000);
}

// "Copy link" in the share module, where the browser offers a clipboard.
function enableCopyLink(button) {
  if (!navigator.clipboard) return;
  button.hidden = false;
  button.addEventListener('click', async () => {
    await navigator.clipboard.writeText(button.dataset.url);
    button.textContent = 'Link copied';
  });
}

// Count this page view: one beacon after the page has loaded, with the referring site's name
// only. Not sent to readers who ask not to be tracked. The server sets no cookie.
function countView(body) {
  const {article, beacon} = body.dataset;
  if (!article || !beacon || !navigator.sendBeacon) return;
  if (navigator.doNotTrack === '1' || navigator.globalPrivacyControl) return;
  let referrer = '';
  try { referrer = document.referrer ? new URL(document.referrer).hostname : ''; } catch { /* none */ }
  const send = () => navigator.sendBeacon(beacon, new URLSearchParams({article, referrer}));
  // A prerendered page counts when, and only if, the reader actually opens it.
  if (document.prerendering) {
    document.addEventListener('prerenderingchange', send, {once: true});
  } else {
    send();
  }
}

document.querySelectorAll('.live-clock').forEach(startClock);
countView(document.body);
document.querySelectorAll('.copy-link').forEach(enableCopyLink);
