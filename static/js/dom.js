// Building the page's elements: one helper for every module.

/** An element `tag` with class `cls` and text `text` (each optional). */
export function el(tag, cls, text) {
  const e = document.createElement(tag);
  if (cls) e.className = cls;
  if (text !== undefined) e.textContent = text;
  return e;
}
