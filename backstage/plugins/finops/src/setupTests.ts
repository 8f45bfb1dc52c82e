import '@testing-library/jest-dom';

// the pages carry their choices to one another in sessionStorage (lib/useUrlState.ts): each test
// starts from a new browser tab
afterEach(() => window.sessionStorage.clear());
