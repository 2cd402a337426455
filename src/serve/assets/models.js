// Refinery web UI, Models pages: promote/rollback through the token-guarded
// API, and CSV scoring with a download of the scored file. The pages work
// without it except for these two forms.
(function () {
  'use strict';
  var stage = document.getElementById('stage-form');
  if (stage) {
    var action = 'promote';
    stage.querySelectorAll('button').forEach(function (button) {
      button.addEventListener('click', function () { action = button.value; });
    });
    stage.addEventListener('submit', function (event) {
      event.preventDefault();
      var out = document.getElementById('stage-result');
      var body = { reason: stage.reason.value || undefined };
      if (action === 'promote') body.version = Number(stage.version.value);
      fetch('/api/v1/models/' + encodeURIComponent(stage.dataset.model) + '/' + action, {
        method: 'POST',
        headers: { 'Authorization': 'Bearer ' + stage.token.value, 'Content-Type': 'application/json' },
        body: JSON.stringify(body)
      }).then(function (response) {
        return response.json().then(function (json) {
          out.textContent = response.ok ? 'Version ' + json.version + ' is now ' + json.stage + '.'
                                        : 'Refused: ' + json.errorMessage;
          if (response.ok) setTimeout(function () { location.reload(); }, 800);
        });
      });
    });
  }
  var csv = document.getElementById('csv-form');
  if (csv) {
    csv.addEventListener('submit', function (event) {
      event.preventDefault();
      var out = document.getElementById('csv-result');
      var file = csv.file.files[0];
      if (!file) return;
      file.text().then(function (text) {
        return fetch('/api/v1/models/' + encodeURIComponent(csv.dataset.model) + '/predict.csv', {
          method: 'POST', headers: { 'Content-Type': 'text/csv' }, body: text
        });
      }).then(function (response) {
        return response.text().then(function (text) {
          if (!response.ok) {
            var message = text;
            try {
              var json = JSON.parse(text);
              message = json.errorMessage + ': ' + (json.errors || []).map(function (e) {
                return 'line ' + e.row + ' ' + e.field + ' ' + e.message;
              }).join('; ');
            } catch (ignored) { /* not JSON: show the text */ }
            out.textContent = 'Refused: ' + message;
            return;
          }
          var rows = text.trim().split('\n').length - 1;
          var link = document.createElement('a');
          link.href = URL.createObjectURL(new Blob([text], { type: 'text/csv' }));
          link.download = csv.dataset.model + '-scored.csv';
          link.id = 'csv-download';
          link.textContent = 'Download ' + rows + ' scored leads';
          out.textContent = 'Scored ' + rows + ' rows. ';
          out.appendChild(link);
        });
      });
    });
  }
})();
