// Starts Swagger UI on /api/v1/docs. A file of its own: the Content-Security-Policy allows no
// inline script. validatorUrl null: the UI must not call the public validator service.
window.addEventListener("load", function () {
  var node = document.getElementById("swagger-ui");
  window.ui = SwaggerUIBundle({
    url: node.getAttribute("data-spec-url"),
    dom_id: "#swagger-ui",
    validatorUrl: null,
    deepLinking: true,
  });
});
