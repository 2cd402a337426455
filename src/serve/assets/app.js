// Refinery web UI: small progressive enhancements; every page works without it.
// Times are rendered in UTC by the server; this adds the reader's local time as a tooltip.
(function () {
  'use strict';
  document.querySelectorAll('time[datetime]').forEach(function (element) {
    var when = new Date(element.getAttribute('datetime'));
    if (!isNaN(when.getTime())) element.title = 'Local time: ' + when.toLocaleString();
  });
})();
