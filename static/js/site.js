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

document.querySelectorAll('.live-clock').forEach(startClock);
document.querySelectorAll('.copy-link').forEach(enableCopyLink);
