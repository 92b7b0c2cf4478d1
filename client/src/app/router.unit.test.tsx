import { act, render, screen } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import { navigate, setLeaveGuard, useLocation } from './router';

function Where() {
  const location = useLocation();
  return <p data-testid="where">{location.pathname + location.search.toString()}</p>;
}

/** What the browser does on Back: the URL is already the previous entry's when popstate fires. */
function pressBack(to: string) {
  act(() => {
    history.replaceState(null, '', to);
    window.dispatchEvent(new PopStateEvent('popstate'));
  });
}

afterEach(() => setLeaveGuard(null));

describe('router', () => {
  it('keeps the page and its URL on Back when the leave guard refuses', () => {
    navigate('/start', { force: true });
    render(<Where />);
    act(() => void navigate('/workspace', { force: true }));
    expect(screen.getByTestId('where').textContent).toBe('/workspace');

    let asked = 0;
    setLeaveGuard(() => {
      asked += 1;
      return false;
    });
    pressBack('/start');
    expect(asked).toBe(1);
    expect(window.location.pathname).toBe('/workspace');
    expect(screen.getByTestId('where').textContent).toBe('/workspace');
  });

  it('follows Back when the leave guard agrees', () => {
    navigate('/start', { force: true });
    render(<Where />);
    act(() => void navigate('/history', { force: true }));
    setLeaveGuard(() => true);
    pressBack('/start');
    expect(window.location.pathname).toBe('/start');
    expect(screen.getByTestId('where').textContent).toBe('/start');
  });
});
