// The page behind an SMS letter link: copy, download and print the letter. Text only, never HTML.
(function () {
  'use strict';
  var text = document.getElementById('letter-text');
  var status = document.getElementById('letter-status');
  var subject = document.getElementById('letter-subject');
  if (!text || !status) return;

  function say(message) {
    status.textContent = '';
    setTimeout(function () { status.textContent = message; }, 50);
  }

  function letter() {
    return text.textContent.replace(/\r?\n/g, '\r\n');
  }

  function copyFallback() {
    var range = document.createRange();
    range.selectNodeContents(text);
    var selection = window.getSelection();
    selection.removeAllRanges();
    selection.addRange(range);
    var ok = false;
    try { ok = document.execCommand('copy'); } catch (e) { ok = false; }
    say(ok ? 'The letter is copied. You can paste it into an email or a document.'
      : 'Copying did not work. The letter is selected: copy it with your keyboard or menu.');
  }

  document.getElementById('copy-letter').addEventListener('click', function () {
    if (navigator.clipboard && window.isSecureContext) {
      navigator.clipboard.writeText(text.textContent).then(function () {
        say('The letter is copied. You can paste it into an email or a document.');
      }, copyFallback);
    } else {
      copyFallback();
    }
  });

  document.getElementById('download-letter').addEventListener('click', function () {
    var blob = new Blob([letter()], { type: 'text/plain;charset=utf-8' });
    var url = URL.createObjectURL(blob);
    var a = document.createElement('a');
    a.href = url;
    a.download = 'complaint-letter.txt';
    a.hidden = true;
    document.body.appendChild(a);
    a.click();
    a.remove();
    setTimeout(function () { URL.revokeObjectURL(url); }, 60000);
    say('The letter is downloading as a text file' + (subject ? ': ' + subject.textContent : '') + '.');
  });

  document.getElementById('print-letter').addEventListener('click', function () {
    window.print();
  });
}());
