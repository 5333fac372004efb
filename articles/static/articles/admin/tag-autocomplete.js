'use strict';
// Tag chips with suggestions from existing tags; typing a new name and Enter (or a comma)
// adds it. Built on the select2 the Django admin ships for its own autocompletes.
{
    const $ = django.jQuery;
    $(function() {
        $('select.tag-autocomplete').each(function() {
            $(this).select2({
                tags: true,
                tokenSeparators: [','],
                width: '100%',
                placeholder: 'Add tags',
                ajax: {
                    url: this.dataset.autocompleteUrl,
                    dataType: 'json',
                    delay: 200,
                    data: (params) => ({term: params.term || ''}),
                },
            });
        });
    });
}
