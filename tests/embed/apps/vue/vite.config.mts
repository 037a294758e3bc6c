// The Vue app's Vite config: the template's, plus telling Vue that tk-* tags are custom elements.
import { defineConfig } from 'vite';
import vue from '@vitejs/plugin-vue';

export default defineConfig({
  plugins: [vue({ template: { compilerOptions: { isCustomElement: (tag) => tag.startsWith('tk-') } } })],
});
