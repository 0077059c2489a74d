/* Parse plotly.js once a page has loaded and settled (1 s, then when idle), so the first chart
 * that a click opens (a cluster tab, a saved view) does not wait ~0.1 s for it. Dash itself
 * loads plotly.js only when a graph mounts, and skips loading when window.Plotly exists. */
(function () {
    'use strict';
    function load() {
        var url = window._dashPlotlyJSURL;
        if (window.Plotly || !url || document.querySelector('script[src="' + url + '"]')) {
            return;
        }
        var script = document.createElement('script');
        script.src = url;
        script.async = true;
        document.body.appendChild(script);
    }
    var idle = window.requestIdleCallback || function (run) { return setTimeout(run, 200); };
    window.addEventListener('load', function () {
        setTimeout(function () { idle(load, {timeout: 3000}); }, 1000);
    });
}());
