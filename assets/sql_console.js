/* The SQL console: Ctrl+Enter (Cmd+Enter on a Mac) in the editor runs the statement, and Tab
 * indents instead of leaving the editor. The Run button's callback does the work; the server
 * checks the role as for any click. */
(function () {
    'use strict';
    var EDITOR = 'sql-editor-textarea';
    var RUN = 'sql-run-button';
    document.addEventListener('keydown', function (event) {
        var editor = event.target;
        if (!editor || editor.id !== EDITOR) {
            return;
        }
        if (event.key === 'Enter' && (event.ctrlKey || event.metaKey)) {
            event.preventDefault();
            var run = document.getElementById(RUN);
            if (run && !run.disabled) {
                run.click();
            }
        } else if (event.key === 'Tab' && !event.shiftKey && !event.ctrlKey && !event.altKey) {
            event.preventDefault();
            document.execCommand('insertText', false, '  ');
        }
    });
}());
