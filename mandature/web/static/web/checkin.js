// Check-in page: read a badge's QR code with the phone's camera (jsQR, loaded only when the
// camera is used, to keep the page light on a slow connection) and mark the person present.
(function () {
  const start = document.getElementById("scan-start");
  if (!start) return;
  const stop = document.getElementById("scan-stop");
  const video = document.getElementById("scan-video");
  const canvas = document.getElementById("scan-canvas");
  const result = document.getElementById("accueil-resultat");
  let stream = null;
  let lastCode = "";
  let lastAt = 0;

  function loadJsQR() {
    if (window.jsQR) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const script = document.createElement("script");
      script.src = start.dataset.jsqr;
      script.onload = resolve;
      script.onerror = () => reject(new Error("lecteur de QR code indisponible"));
      document.head.appendChild(script);
    });
  }

  function mark(code) {
    const values = { code: code };
    if (start.dataset.seance) values.seance = start.dataset.seance;
    window.htmx.ajax("POST", start.dataset.mark, {
      target: "#accueil-resultat",
      values: values,
      headers: { "X-CSRFToken": start.dataset.csrf },
    });
  }

  function tick() {
    if (!stream) return;
    if (video.readyState === video.HAVE_ENOUGH_DATA) {
      const width = video.videoWidth;
      const height = video.videoHeight;
      canvas.width = width;
      canvas.height = height;
      const context = canvas.getContext("2d", { willReadFrequently: true });
      context.drawImage(video, 0, 0, width, height);
      const found = window.jsQR(context.getImageData(0, 0, width, height).data, width, height, {
        inversionAttempts: "dontInvert",
      });
      const now = Date.now();
      // The same badge held in front of the camera is sent once every 3 seconds at most.
      if (found && found.data && (found.data !== lastCode || now - lastAt > 3000)) {
        lastCode = found.data;
        lastAt = now;
        mark(found.data);
      }
    }
    window.setTimeout(() => window.requestAnimationFrame(tick), 150);
  }

  function halt() {
    if (stream) stream.getTracks().forEach((track) => track.stop());
    stream = null;
    video.hidden = true;
    stop.hidden = true;
    start.hidden = false;
  }

  start.addEventListener("click", async () => {
    try {
      await loadJsQR();
      stream = await navigator.mediaDevices.getUserMedia({
        video: { facingMode: "environment" },
        audio: false,
      });
    } catch (error) {
      result.textContent = "Caméra indisponible (" + error.message + ") : cherchez par nom.";
      return;
    }
    video.srcObject = stream;
    video.hidden = false;
    stop.hidden = false;
    start.hidden = true;
    await video.play();
    tick();
  });
  stop.addEventListener("click", halt);
  // A lost connection or a server error must be seen at the door, not only in the console.
  document.body.addEventListener("htmx:responseError", (event) => {
    result.textContent = "Erreur " + event.detail.xhr.status + " : réessayez.";
  });
  document.body.addEventListener("htmx:sendError", () => {
    result.textContent = "Pas de connexion : réessayez dans un instant.";
  });
})();
