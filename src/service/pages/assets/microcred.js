// microcred pages: the one script. It only enhances: every page works without it. A copy-link field
// (`data-copy` on its wrapper) gets a button that copies the link and says so in a live region.
'use strict';
(function () {
  function copy(input, status, done) {
    var text = input.value;
    var report = function () {
      status.textContent = done;
    };
    if (navigator.clipboard && window.isSecureContext) {
      navigator.clipboard.writeText(text).then(report, function () {
        input.select();
      });
      return;
    }
    input.select();
    try {
      if (document.execCommand('copy')) report();
    } catch (e) {
      // Selecting the text is the fallback: the reader copies it.
    }
  }

  var fields = document.querySelectorAll('[data-copy]');
  for (var i = 0; i < fields.length; i++) {
    (function (field) {
      var input = field.querySelector('input');
      var status = field.parentNode.querySelector('[data-copy-status]');
      if (!input || !status) return;
      var button = document.createElement('button');
      button.type = 'button';
      button.className = 'button button--secondary';
      button.textContent = field.getAttribute('data-copy');
      button.addEventListener('click', function () {
        copy(input, status, field.getAttribute('data-copied') || '');
      });
      field.appendChild(button);
    })(fields[i]);
  }
})();
