/** klaxon.yml is bundled as text (esbuild `text` loader; a vitest plugin in tests). */
declare module '*.yml' {
  const text: string;
  export default text;
}
