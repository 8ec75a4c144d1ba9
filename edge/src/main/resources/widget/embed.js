/*
 * comments widget loader: cached for minutes, it loads the current widget bundle, which is cached
 * for a year under a name holding its hash. <script src=".../widget/v1/embed.js" async></script>
 */
(function () {
  'use strict';
  var me = document.currentScript;
  if (!me || window.CommentsWidget || window.__commentsWidgetLoading) return;
  window.__commentsWidgetLoading = true;
  var bundle = document.createElement('script');
  bundle.src = new URL('__BUNDLE__', me.src).href;
  bundle.async = true;
  (document.head || document.documentElement).appendChild(bundle);
})();
