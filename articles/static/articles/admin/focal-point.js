'use strict';
// Click the picture to set the focal point; the two number fields stay the real inputs, so
// the form works the same without JavaScript. Crop previews show what cards and link
// previews will keep in frame.
document.addEventListener('DOMContentLoaded', () => {
    const picker = document.querySelector('.focal-picker');
    const inputX = document.querySelector('#id_focal_x');
    const inputY = document.querySelector('#id_focal_y');
    if (!picker || !inputX || !inputY) return;
    const image = picker.querySelector('img');
    const marker = picker.querySelector('.focal-marker');
    picker.classList.add('is-active');

    // Previews of the crops the server makes around the focal point (3:2 cards, 1.91:1 social).
    const previews = document.createElement('div');
    previews.className = 'focal-crop-preview';
    const crops = [['Card', 3 / 2, 150], ['Link preview', 1200 / 630, 190]].map(([label, ratio, width]) => {
        const figure = document.createElement('figure');
        const box = document.createElement('div');
        box.style.width = `${width}px`;
        box.style.height = `${Math.round(width / ratio)}px`;
        const caption = document.createElement('figcaption');
        caption.textContent = label;
        figure.append(box, caption);
        previews.append(figure);
        return {box, ratio, width};
    });
    picker.insertAdjacentElement('afterend', previews);

    const clamp = (value, low, high) => Math.min(Math.max(value, low), high);

    function show() {
        const x = clamp(parseFloat(inputX.value) || 50, 0, 100);
        const y = clamp(parseFloat(inputY.value) || 50, 0, 100);
        marker.style.left = `${x}%`;
        marker.style.top = `${y}%`;
        marker.hidden = false;
        const naturalRatio = image.naturalWidth / image.naturalHeight || 1.5;
        for (const crop of crops) {
            // The same arithmetic as articles.images.focal_crop_box, in preview pixels.
            let shownWidth, shownHeight;
            if (naturalRatio > crop.ratio) {
                shownHeight = crop.width / crop.ratio;
                shownWidth = shownHeight * naturalRatio;
            } else {
                shownWidth = crop.width;
                shownHeight = shownWidth / naturalRatio;
            }
            const left = clamp(x / 100 * shownWidth - crop.width / 2, 0, shownWidth - crop.width);
            const top = clamp(y / 100 * shownHeight - crop.width / crop.ratio / 2, 0, shownHeight - crop.width / crop.ratio);
            crop.box.style.backgroundImage = `url("${image.currentSrc || image.src}")`;
            crop.box.style.backgroundSize = `${shownWidth}px ${shownHeight}px`;
            crop.box.style.backgroundPosition = `${-left}px ${-top}px`;
        }
    }

    image.addEventListener('click', (event) => {
        const rect = image.getBoundingClientRect();
        inputX.value = (clamp((event.clientX - rect.left) / rect.width, 0, 1) * 100).toFixed(1);
        inputY.value = (clamp((event.clientY - rect.top) / rect.height, 0, 1) * 100).toFixed(1);
        show();
    });
    inputX.addEventListener('input', show);
    inputY.addEventListener('input', show);
    if (image.complete) show(); else image.addEventListener('load', show);
});
