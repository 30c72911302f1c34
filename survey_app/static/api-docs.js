// Start Swagger UI on the API docs page. A file, not an inline script: the CSP allows only scripts from 'self'.
(function () {
  "use strict";
  var root = document.getElementById("swagger-ui");
  window.SwaggerUIBundle({
    url: root.getAttribute("data-spec-url"),
    domNode: root,
    deepLinking: true,
    validatorUrl: null, // no badge fetched from validator.swagger.io: the page never leaves this server
    tryItOutEnabled: false,
    presets: [window.SwaggerUIBundle.presets.apis],
  });
})();
