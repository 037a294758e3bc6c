export { StoreController } from './store-controller.js';
