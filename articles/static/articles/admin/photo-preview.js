'use strict';
// Shows the chosen file before it is uploaded, so an editor sees what they picked.
document.addEventListener('DOMContentLoaded', () => {
    const input = document.querySelector('input[type=file][name=image]');
    if (!input) return;
    const preview = document.createElement('img');
    preview.className = 'photo-upload-preview';
    preview.alt = 'Preview of the chosen file';
    preview.hidden = true;
    input.insertAdjacentElement('afterend', preview);
    input.addEventListener('change', () => {
        const [file] = input.files;
        if (!file) { preview.hidden = true; return; }
        preview.src = URL.createObjectURL(file);
        preview.hidden = false;
    });
});
