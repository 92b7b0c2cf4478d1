import { act, fireEvent, render, screen } from '@testing-library/react';
import { describe, expect, it, vi } from 'vitest';
import type { ApiClient } from '../api/ApiClient';
import type { ClientConfig, Me } from '../api/types';
import type { Session } from '../auth/Session';
import { App } from './App';
import { navigate } from './router';

const me = {
  name: 'Ada',
  subject: 'ada-id',
  isAdmin: false,
  isEditor: true,
  scopes: [{ scope: 'contoso', connected: false, canWrite: true }],
} as unknown as Me;

// The shell needs only `me`; whatever the page asks for stays pending.
const api = new Proxy({} as ApiClient, {
  get: (_, name) => (name === 'me' ? async () => me : () => new Promise(() => {})),
});

describe('App', () => {
  it('tells the person when signing out failed, and lets them try again', async () => {
    const signOut = vi
      .fn<() => Promise<void>>()
      .mockRejectedValueOnce(new Error('the sign-in service could not be reached'))
      .mockResolvedValueOnce(undefined);
    const session: Session = { mode: 'entra', userName: 'Ada', token: async () => 'token', signOut };
    navigate('/history?scope=contoso', { force: true });
    render(<App api={api} session={session} config={{} as ClientConfig} />);

    const signOutButton = await screen.findByRole('button', { name: 'Sign out' });
    await act(async () => fireEvent.click(signOutButton));
    expect(screen.getByRole('alert').textContent).toContain(
      'Signing out failed: the sign-in service could not be reached',
    );

    await act(async () => fireEvent.click(screen.getByRole('button', { name: 'Try again' })));
    expect(signOut).toHaveBeenCalledTimes(2);
    expect(screen.queryByRole('alert')).toBeNull();
  });
});
