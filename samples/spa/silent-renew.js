import { createUserManager, loadConfig } from './oidc.js';

// Dispatches on the stored state: for a silent sign-in, posts the response to the parent page.
const userManager = createUserManager(await loadConfig());
await userManager.signinCallback();
