'use strict';
// The body editor's "Browse…" window: clicking a photo hands its id, a preview URL and its
// alt text back to the editor that opened this window (CKEditor-style callFunction).
document.addEventListener('DOMContentLoaded', () => {
    const picker = document.querySelector('.photo-picker');
    if (!picker) return;
    const funcNum = picker.dataset.funcNum;
    picker.addEventListener('click', (event) => {
        const button = event.target.closest('.photo-pick');
        if (!button) return;
        const editor = window.opener && window.opener.CKEDITOR && window.opener.CKEDITOR.tools;
        if (!editor) return;
        editor.callFunction(Number(funcNum), button.dataset.url, {
            id: button.dataset.id,
            alternative_text: button.dataset.alt,
            caption: '',
        });
        window.close();
    });
});
